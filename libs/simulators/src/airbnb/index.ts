export { makeAirbnbCookie } from './cookie';
export type { AirbnbFaults, FaultSchedule } from './faults';
export { AIRBNB_PERSISTED_QUERIES, type AirbnbOperation } from './protocol';
export {
  type AirbnbSimulator,
  type AirbnbSimulatorAccount,
  type AirbnbSimulatorOptions,
  type AirbnbSimulatorStats,
  startAirbnbSimulator,
} from './server';
