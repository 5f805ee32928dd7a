// One load at a time: a load asked for while one runs runs next (with the latest arguments),
// so a save is never shown stale and two loads never race to the DOM.

export function serialised<A>(load: (arg?: A) => Promise<void>): (arg?: A) => Promise<void> {
  let running = false;
  let queued: { arg: A | undefined } | null = null;
  const run = async (arg?: A): Promise<void> => {
    if (running) {
      queued = { arg };
      return;
    }
    running = true;
    try {
      await load(arg);
    } finally {
      running = false;
    }
    if (queued) {
      const next = queued;
      queued = null;
      await run(next.arg);
    }
  };
  return run;
}
