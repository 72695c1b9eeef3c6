import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { checkCredentials, type CredentialCheck, type MNotifyCredentials } from '../transport';

/** The credential's Test button: a real call over a fresh connection (see transport/credentialCheck.ts). */
export async function mNotifyApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await testCredentials(credential.data as unknown as MNotifyCredentials);
}

export async function testCredentials(
	credentials: MNotifyCredentials,
	now = new Date(),
	deadlineSeconds?: number,
): Promise<INodeCredentialTestResult> {
	let check: CredentialCheck;
	try {
		check = await checkCredentials(credentials, now, deadlineSeconds);
	} catch (error) {
		// n8n's tester shows a thrown error's fields raw: answer a result that names no input.
		const kind = error instanceof Error ? ` (${error.name})` : '';
		return {
			status: 'Error',
			message: `The credential test failed unexpectedly${kind}. Nothing from the credential or the environment is shown; run it again, and report it if it persists.`,
		};
	}
	return check.ok
		? { status: 'OK', message: check.message }
		: { status: 'Error', message: `${check.problem.message}. ${check.problem.description}` };
}
