/** N1–N4: list, get, send and cancel notifications. */
import { createNotification } from '../notificationFactory';
import { applyListQuery, readListQuery } from '../listing';
import { parseJsonBody } from '../requestBody';
import { bareUuidResponse, jsonResponse, messageError, type SandboxResponse } from '../responses';
import { ID_SEGMENT, type RequestContext, type Route } from '../router';
import { statusTiming } from '../state';
import { isCancellableStatus, notificationStatus } from '../statuses';
import { readNotificationRequest } from '../validation/notificationRequest';
import { toNotificationDetails, toNotificationShort } from '../views';

const ORDER_FIELDS = ['id', 'status', 'createdAt', 'lastUpdatedAt', 'createdBy', 'lastUpdatedBy'];

function listNotifications({ state, sender, query }: RequestContext): SandboxResponse {
	const listQuery = readListQuery(query, ORDER_FIELDS);
	const timing = statusTiming(state);
	const items = state.store
		.notificationsOf(sender)
		.map((notification) => toNotificationShort(notification, timing));
	return jsonResponse(200, applyListQuery(items, listQuery));
}

function getNotification({ state, sender, id }: RequestContext): SandboxResponse {
	const notification = state.store.ownedNotification(id, sender);
	return jsonResponse(200, toNotificationDetails(notification, statusTiming(state)));
}

function sendNotification({ state, sender, body, contentType }: RequestContext): SandboxResponse {
	const rawRequest = parseJsonBody(body, contentType, { required: true });
	const request = readNotificationRequest(rawRequest);
	const template =
		request.template !== undefined
			? state.store.ownedTemplate(request.template.id, sender)
			: undefined;
	const notification = createNotification(state, sender, request, rawRequest, template);
	state.store.addNotification(notification);
	state.stats.notificationsAccepted += 1;
	return bareUuidResponse(notification.id);
}

function cancelNotification({ state, sender, id }: RequestContext): SandboxResponse {
	const notification = state.store.ownedNotification(id, sender);
	const { status } = notificationStatus(notification, statusTiming(state));
	if (!isCancellableStatus(status)) {
		const reason =
			status === 'Cancelled'
				? 'it is already cancelled'
				: status === 'Failed'
					? 'it has already failed'
					: `it was already sent (status ${status})`;
		throw messageError(409, `Notification ${notification.id} cannot be cancelled: ${reason}.`);
	}
	notification.cancellation = { atMs: state.clock.now(), by: sender.id };
	return bareUuidResponse(notification.id);
}

export const notificationRoutes: Route[] = [
	{
		pattern: /^\/api\/notification$/,
		handlers: { GET: listNotifications, POST: sendNotification },
	},
	// The reference's plural spelling of the list (D1).
	{ pattern: /^\/api\/notifications$/, handlers: { GET: listNotifications } },
	{
		pattern: new RegExp(`^/api/notification/${ID_SEGMENT}$`),
		handlers: { GET: getNotification, DELETE: cancelNotification },
	},
];
