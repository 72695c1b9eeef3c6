/**
 * Jest setup file, run before each test file: n8n's logger stays silent, so the errors that tests
 * provoke on purpose do not bury a real failure. A suite that checks the logger (secrets) turns
 * it back on; MNOTIFY_TEST_VERBOSE=1 shows everything.
 */
import 'reflect-metadata';

if (process.env.MNOTIFY_TEST_VERBOSE !== '1') process.env.N8N_LOG_LEVEL = 'silent';
