/** A user-supplied value for an error message: quoted, control characters escaped, cut short. */
export function quoteInput(value: string): string {
  const cut = value.length > 64 ? `${value.slice(0, 64)}...` : value;
  return JSON.stringify(cut);
}

/**
 * A ping whose token no heartbeat monitor has, or whose monitor's token has no value: one message
 * whatever the reason, which never names a monitor nor repeats the token.
 */
export class UnknownPingTokenError extends Error {
  override readonly name = 'UnknownPingTokenError';
  constructor(options?: ErrorOptions) {
    super('not found', options);
  }
}

/** A monitor id that is not in the configuration. */
export class UnknownMonitorError extends Error {
  override readonly name = 'UnknownMonitorError';
  constructor(readonly monitorId: string, options?: ErrorOptions) {
    super(`no monitor with id ${quoteInput(monitorId)}`, options);
  }
}

/** monitors.yml or the environment is invalid; the message names the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A calendar month asked for that has not begun yet: nothing can be reported on it. */
export class FutureMonthError extends Error {
  override readonly name = 'FutureMonthError';
  constructor(readonly month: string, options?: ErrorOptions) {
    super(`month ${quoteInput(month)} has not begun yet`, options);
  }
}
