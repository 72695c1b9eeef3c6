// Small helpers of the real-n8n kit: where things are, and running a command.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A run's own folder under E2E_WORK_DIR (default <repo>/.e2e, git-ignored): user folders, logs. */
export function workDirOf(name) {
	return path.resolve(process.env.E2E_WORK_DIR || path.join(REPO_DIR, '.e2e'), name);
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
