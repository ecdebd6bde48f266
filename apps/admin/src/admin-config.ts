export const ADMIN_CONFIG = Symbol('ADMIN_CONFIG');
