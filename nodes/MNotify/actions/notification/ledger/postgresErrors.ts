/** PostgreSQL failures of the ledger, in words that name the Postgres credential field to fix. */
import { LedgerError } from './ledger';

/** PostgreSQL error codes and driver errors, in words that name the credential field to fix. */
export function ledgerFailure(error: unknown, where: string, doing: string): LedgerError {
	const { code, message } = error as { code?: string; message?: string };
	const text = String(message ?? error);
	// The driver's words go in the description: n8n rewrites messages that name socket errors.
	const fix = (field: string, hint: string) =>
		new LedgerError(
			`Could not ${doing} in the PostgreSQL ledger (${where})`,
			`${hint} (Postgres credential › ${field}). PostgreSQL said: ${text}.`,
		);
	if (code === '28P01' || code === '28000')
		return fix('User, Password', 'PostgreSQL refused the user name or password');
	if (code === '3D000')
		return fix('Database', 'The database does not exist: create it or correct its name');
	if (code === '42501' || code === '25006')
		return fix(
			'User',
			'This user may not write the ledger table (a read-only role or replica). Grant it SELECT, INSERT, UPDATE and DELETE on the table, and CREATE on the schema for the first run, which creates the table',
		);
	if (/ssl|certificate|self[- ]signed/i.test(text))
		return fix('SSL, Ignore SSL Issues', 'The SSL connection to PostgreSQL failed');
	if (
		['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ETIMEDOUT'].includes(code ?? '') ||
		/timeout/i.test(text)
	)
		return fix('Host, Port', 'PostgreSQL cannot be reached at this address');
	// 57P03: the server is up but takes no sessions (starting up, shutting down, in recovery).
	if (code === '57P03')
		return fix(
			'Host',
			'PostgreSQL is starting up, shutting down or recovering and takes no connections now: wait until it is up and run again',
		);
	if (/terminat|ECONNRESET|57P0/.test(`${text} ${code ?? ''}`))
		return fix('Host', 'The connection to PostgreSQL was lost; check that the server is up');
	return fix('Host, Database', 'PostgreSQL failed');
}

/** Errors where the statement may be repeated as is: it either did nothing or, for a claim, what it did is ours. */
export const retryable = (error: unknown) =>
	/^(40P01|40001|57P0\d|08\d\d\d)$/.test(String((error as { code?: unknown }).code)) ||
	/Connection terminated|ECONNRESET/.test(String((error as Error).message));
