/** A user-supplied value for an error message: quoted, control characters escaped, cut short. */
export function quoteInput(value: string): string {
  const cut = value.length > 64 ? `${value.slice(0, 64)}...` : value;
  return JSON.stringify(cut);
}

/** A request the caller got wrong: a bad parameter. Maps to 400. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A monitor id that is not in the configuration. Maps to 404. */
export class UnknownMonitorError extends Error {
  override readonly name = 'UnknownMonitorError';
  constructor(readonly monitorId: string, options?: ErrorOptions) {
    super(`no monitor with id ${quoteInput(monitorId)}`, options);
  }
}

/** A route the API does not serve. Maps to 404. */
export class UnknownRouteError extends Error {
  override readonly name = 'UnknownRouteError';
  constructor(readonly route: string, options?: ErrorOptions) {
    super(`no route ${route}`, options);
  }
}

/** monitors.yml or the environment is invalid; the message names the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
