import fc from 'fast-check';

// A property that fails can shrink its counterexample for a very long time (one such run held a
// jest worker for ten minutes). Past 20 seconds a property stops and fails with what it has, so
// the run reports the counterexample instead of hanging until CI's limit.
fc.configureGlobal({ interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });
