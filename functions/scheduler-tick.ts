/**
 * Fires due schedules (docs/scheduler.md). A timer trigger, so the same code runs on the embedded
 * and the real Functions host; every host runs it and the state layer's claims make each occurrence
 * fire once.
 */
import { app } from '@azure/functions';
import { getServices } from '../shared/bootstrap';
import { errorMessage } from '../shared/log';

// Schedules have second precision (6-field crons), so look every second.
const EVERY_SECOND = '* * * * * *';
// A host without usable config would fail every second; say so once a minute.
const FAILURE_LOG_INTERVAL_MS = 60_000;
let lastFailureLog = 0;

app.timer('scheduler-tick', {
  schedule: EVERY_SECOND,
  useMonitor: false,
  handler: async (_timer, ctx) => {
    try {
      await getServices().scheduler.runner.tick();
    } catch (err) {
      if (Date.now() - lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
        lastFailureLog = Date.now();
        ctx.error(`scheduler tick failed: ${errorMessage(err)}`);
      }
    }
  },
});
