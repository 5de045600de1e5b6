/** Injection tokens of what the api's bootstrap opens and hands to its modules. */
export const APP_DATA_SOURCE = Symbol('APP_DATA_SOURCE');
export const SYSTEM_DATA_SOURCE = Symbol('SYSTEM_DATA_SOURCE');
export const API_LOGGER = Symbol('API_LOGGER');
export const API_SETTINGS = Symbol('API_SETTINGS');
export const EVENT_BUS = Symbol('EVENT_BUS');
