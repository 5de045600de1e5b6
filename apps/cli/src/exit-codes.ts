/** The CLI's exit codes besides 0 (success); the help text lists them. */
export const EXIT_NOT_READY = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;
/** The API refused the request or could not carry it out (its problem is printed). */
export const EXIT_REQUEST_FAILED = 4;
