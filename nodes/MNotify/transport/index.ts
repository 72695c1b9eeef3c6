/**
 * The transport: the only code that talks to MNotify. Everything outside transport/ imports it
 * from here.
 */
export { MNOTIFY_CREDENTIAL_TYPE as CREDENTIAL_TYPE } from '../../../credentials/MNotifyApi.credentials';
export { readTimeoutSettings, type RequestSettings } from './client';
export { reachesProduction, type MNotifyCredentials } from './clientCertificate';
export { checkCredentials, type CredentialCheck } from './credentialCheck';
export { messageOf } from './networkErrors';
export { fetchList, listPages, type ListRequest } from './paging';
export {
	certificateExpiryWarning,
	credentialKey,
	mnotifyApiRequest,
	parseBody,
	readReturnedId,
	releaseClient,
	type ApiCall,
	type MNotifyContext,
} from './request';
export { outcomeUnknown, requestFacts, type RequestFacts } from './requestErrors';
