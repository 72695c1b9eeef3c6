import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Jest global setup: workflow tests load the package the way n8n does, from the built dist/, so
 * it is rebuilt first, with dev/dist/ (tests that run a workflow in a process of their own use it).
 * A plain `npx jest test/…` after an edit then tests the edited code.
 */
export default function buildPackage(): void {
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: path.resolve(__dirname, '..'),
		stdio: 'inherit',
		// n8n-node build animates a spinner unless it is told it runs in CI.
		env: { ...process.env, CI: 'true' },
	});
}
