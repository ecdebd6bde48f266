import type { InjectionToken } from '@nestjs/common';

export const LOADER_CONFIG: InjectionToken = Symbol('LOADER_CONFIG');
export const LOADER_LOGGER: InjectionToken = Symbol('LOADER_LOGGER');
export const LOADER_CONSUMER_TUNING: InjectionToken = Symbol('LOADER_CONSUMER_TUNING');
/** the RawTombstoneSender for records of hard-deleted accounts */
export const RAW_TOMBSTONES: InjectionToken = Symbol('RAW_TOMBSTONES');
/** an optional LoaderBatchObserver (the benchmark's batch timer) */
export const LOADER_BATCH_OBSERVER: InjectionToken = Symbol('LOADER_BATCH_OBSERVER');
