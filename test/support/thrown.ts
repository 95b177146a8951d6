/** What `action` throws, or undefined when it returns: for a test that checks more than the error's class. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
