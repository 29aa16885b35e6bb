/**
 * SIGTERM/SIGINT: run the process's close sequence (stop taking work, drain what is in flight,
 * disconnect) once, then exit 0; exit 1 if draining exceeds the grace period.
 */
export function closeOnSignal(
  close: () => Promise<void>,
  graceMs: number,
  log: (message: string) => void,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log(`${signal} received: draining in-flight work (up to ${graceMs} ms)`);
    const deadline = setTimeout(() => {
      log('shutdown grace period exceeded: exiting with work still in flight');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
