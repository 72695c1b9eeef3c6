/**
 * The transport: the only code that talks to MNotify. Everything outside transport/ imports it
 * from here. Its values are plain constants rather than `export … from`: TypeScript compiles a
 * re-export into a getter, a function of this file that would run at every call through it.
 */
import { MNOTIFY_CREDENTIAL_TYPE } from '../../../credentials/MNotifyApi.credentials';
import * as client from './client';
import * as clientCache from './clientCache';
import * as credentialCheck from './credentialCheck';
import * as httpErrors from './httpErrors';
import * as networkErrors from './networkErrors';
import * as paging from './paging';
import * as request from './request';
import * as requestErrors from './requestErrors';

export type { RequestSettings } from './client';
export type { MNotifyCredentials } from './clientCertificate';
export type { CredentialCheck } from './credentialCheck';
export type { ListRequest } from './paging';
export type { ApiCall, MNotifyContext } from './request';
export type { RequestFacts } from './requestErrors';

export const CREDENTIAL_TYPE = MNOTIFY_CREDENTIAL_TYPE;
export const readTimeoutSettings = client.readTimeoutSettings;
export const reachesProduction = clientCache.reachesProduction;
export const checkCredentials = credentialCheck.checkCredentials;
export const isRetryableStatus = httpErrors.isRetryableStatus;
export const messageOf = networkErrors.messageOf;
export const fetchList = paging.fetchList;
export const listPages = paging.listPages;
export const MNotifyConnection = request.MNotifyConnection;
export type MNotifyConnection = request.MNotifyConnection;
export const parseBody = request.parseBody;
export const readReturnedId = request.readReturnedId;
export const withConnection = request.withConnection;
export const outcomeUnknown = requestErrors.outcomeUnknown;
export const requestFacts = requestErrors.requestFacts;
