/**
 * What went wrong, in words an analyst can act on. The transport reports problems as values;
 * only the n8n boundary (`index.ts`, the credential test) turns them into n8n errors or messages.
 * A problem never carries certificate material: messages are written here, not copied from TLS.
 */
export interface Problem {
	message: string;
	description: string;
	/** HTTP status when MNotify answered. */
	httpCode?: number;
	/** MNotify's parsed answer, shown to the user as the error's details. */
	responseBody?: unknown;
}
