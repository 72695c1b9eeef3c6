/**
 * What the plain-JavaScript scripts (the real-n8n kit in dev/real-n8n/, the e2e runners, the
 * real-n8n benchmark) use of the TypeScript in dev/: one typed entry point, compiled to
 * dev/dist/kit.js and loaded by dev/real-n8n/kit.mjs, so no script names a compiled file itself
 * and the type check covers everything they call.
 */
export { startSandbox, type ClientCertificate, type MNotifySandbox } from './sandbox/server';
export { credentialExport } from './sandbox/cliFiles';
export { sandboxCredentials } from './harness/sandboxCredentials';
export { SandboxClient } from './harness/sandboxClient';
export { startPostgres } from './harness/postgres';
export { freePort } from './harness/freePort';
export { loadLeaseSlotMs, loadNodePoolSize } from './harness/builtNode';
export { runPool } from './bench/clients';
export { median } from './bench/measure';
export {
	idnpFor,
	makeItemsCode,
	notificationRequest,
	notificationRequestBody,
	SUBJECT_PREFIX,
	subjectFor,
	TEXTS,
} from './bench/workloads';
