import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { checkCredentials, type MNotifyCredentials } from '../transport';

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
	const check = await checkCredentials(credentials, now, deadlineSeconds);
	return check.ok
		? { status: 'OK', message: check.message }
		: { status: 'Error', message: `${check.problem.message}. ${check.problem.description}` };
}
