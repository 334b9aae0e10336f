/**
 * Required by every test process (`node --test --require ./dist/test/preload.js`): installs the
 * `@azure/functions-core` shim before any test file touches `@azure/functions` (test mode is cached per
 * process), and the egress guard.
 */
import { installCoreShim } from '../runtime/core-shim';
import { installEgressGuard } from './egress-guard';

// Telemetry must stay off and quiet in tests (docs/host-rules.md §10).
delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
process.env.APPLICATIONINSIGHTS_SDKSTATS_DISABLED = 'true';

installCoreShim();
installEgressGuard();
