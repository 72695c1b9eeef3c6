/** T1–T5: list, get, create, update and delete templates. */
import { randomUUID } from 'node:crypto';
import { applyListQuery, readListQuery } from '../listing';
import { parseJsonBody } from '../requestBody';
import { jsonResponse, messageError, quotedUuidResponse, type SandboxResponse } from '../responses';
import { ID_SEGMENT, type RequestContext, type Route } from '../router';
import { statusTiming } from '../state';
import { isFinalStatus, notificationStatus } from '../statuses';
import { readTemplateRequest } from '../validation/templateRequest';
import { toTemplate, toTemplateShort } from '../views';
import { checkTemplate } from './templateCheck';

const ORDER_FIELDS = ['id', 'name', 'createdAt', 'lastUpdatedAt', 'createdBy', 'lastUpdatedBy'];

function readTemplateBody({ body, contentType }: RequestContext) {
	return readTemplateRequest(parseJsonBody(body, contentType, { required: true }));
}

function listTemplates({ state, sender, query }: RequestContext): SandboxResponse {
	const listQuery = readListQuery(query, ORDER_FIELDS);
	const items = state.store.templatesOf(sender).map(toTemplateShort);
	return jsonResponse(200, applyListQuery(items, listQuery));
}

function getTemplate({ state, sender, id }: RequestContext): SandboxResponse {
	return jsonResponse(200, toTemplate(state.store.ownedTemplate(id, sender)));
}

function createTemplate(context: RequestContext): SandboxResponse {
	const { state, sender } = context;
	const content = readTemplateBody(context);
	const nowMs = state.clock.now();
	const id = randomUUID();
	state.store.addTemplate({
		...content,
		id,
		sender,
		createdAtMs: nowMs,
		lastUpdatedAtMs: nowMs,
		lastUpdatedBy: sender.id,
	});
	return quotedUuidResponse(id);
}

function updateTemplate(context: RequestContext): SandboxResponse {
	const { state, sender, id } = context;
	const content = readTemplateBody(context);
	const template = state.store.ownedTemplate(id, sender);
	// A PUT replaces the content (every field is required, so nothing is left over).
	Object.assign(template, content, {
		lastUpdatedAtMs: state.clock.now(),
		lastUpdatedBy: sender.id,
	});
	return quotedUuidResponse(template.id);
}

function deleteTemplate({ state, sender, id }: RequestContext): SandboxResponse {
	const template = state.store.ownedTemplate(id, sender);
	const timing = statusTiming(state);
	const inUse = state.store
		.notificationsOf(sender)
		.some(
			(notification) =>
				notification.templateId === template.id &&
				!isFinalStatus(notificationStatus(notification, timing).status),
		);
	if (inUse) {
		throw messageError(
			409,
			`Template ${template.id} cannot be deleted: notifications that use it are still being processed.`,
		);
	}
	state.store.deleteTemplate(template.id);
	return quotedUuidResponse(template.id);
}

export const templateRoutes: Route[] = [
	{ pattern: /^\/api\/template$/, handlers: { GET: listTemplates, POST: createTemplate } },
	{
		pattern: new RegExp(`^/api/template/${ID_SEGMENT}$`),
		handlers: { GET: getTemplate, PUT: updateTemplate, DELETE: deleteTemplate },
	},
	{
		pattern: new RegExp(`^/api/template/${ID_SEGMENT}/check$`),
		handlers: { GET: checkTemplate, POST: checkTemplate },
	},
];
