import type { IDisplayOptions } from 'n8n-workflow';

/**
 * The node's versions, the n8n way (a version list, parameters shown per `@version`): a workflow
 * keeps the version its node was added with, so existing workflows behave as before.
 *
 * - 1: the first release; Send's options in one alphabetical list, nothing skipped by default.
 * - 1.1: safe by default: Skip Already Notified on (remembered 14 days), options in groups
 *   (Delivery, Bulk Safety, AI Agent), template variables sent as text.
 */
export const NODE_VERSIONS = [1, 1.1];
export const SAFE_VERSION = 1.1;
export const DEFAULT_VERSION = SAFE_VERSION;

export const onlyVersion1: IDisplayOptions = { show: { '@version': [1] } };
export const sinceSafeVersion: IDisplayOptions = {
	show: { '@version': [{ _cnd: { gte: SAFE_VERSION } }] },
};
