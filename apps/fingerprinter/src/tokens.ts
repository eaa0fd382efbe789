export const APP_CONFIG = Symbol('APP_CONFIG');
export const APP_LOGGER = Symbol('APP_LOGGER');
export const FATAL_HANDLER = Symbol('FATAL_HANDLER');
