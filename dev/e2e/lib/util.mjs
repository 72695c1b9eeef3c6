import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(E2E_DIR, '../..');

/** Reads a workflow JSON: a bare name is looked up in dev/e2e/workflows/. */
export function loadWorkflow(file) {
	const p = path.isAbsolute(file) ? file : path.join(E2E_DIR, 'workflows', file);
	return JSON.parse(readFileSync(p, 'utf8'));
}

/** Runs a command, streaming its output with a prefix; rejects on non-zero exit. Returns stdout. */
export function run(cmd, args, { cwd, env, prefix = '', quiet = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd,
			env: env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		const pipe = (stream, sink, buf) =>
			stream.on('data', (d) => {
				const s = d.toString();
				if (buf === 'out') out += s;
				else err += s;
				if (!quiet)
					for (const line of s.split('\n')) if (line.trim()) sink.write(`${prefix}${line}\n`);
			});
		pipe(child.stdout, process.stdout, 'out');
		pipe(child.stderr, process.stderr, 'err');
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve(out);
			else
				reject(
					new Error(
						`${cmd} ${args.join(' ')} exited ${code}\n${(err || out).trim().split('\n').slice(-15).join('\n')}`,
					),
				);
		});
	});
}

/** Parses KEY=VALUE lines. */
export function readEnvFile(file) {
	const env = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
		if (m) env[m[1]] = m[2];
	}
	return env;
}
