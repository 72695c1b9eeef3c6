// What every run of the real-n8n benchmark must get right: one output item per input item, in
// order, and exactly N notifications stored, each the request its item should have sent.
import { kit } from '../../real-n8n/kit.mjs';

const { idnpFor, subjectFor } = kit;
/** The request item k should send (the workload's, with its own subject). */
const requestOf = (k) => kit.notificationRequest(idnpFor(k), subjectFor(k));

/** The same value with object keys sorted, so two requests compare whatever their key order. */
function canonical(value) {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((key) => [key, canonical(value[key])]),
		);
	return value;
}

/** The id a variant's output item reports, and what is wrong with the item (if anything). */
const READ_OUTPUT = {
	mnotify: (item, k) => ({
		id: item.json.id,
		wrong: item.json.recipients?.[0]?.value !== idnpFor(k) ? 'recipient' : undefined,
	}),
	httpRequest: (item) => ({ id: String(item.json.data ?? '').replace(/^"|"$/g, '') }),
	setFloor: (item, k) => ({
		wrong:
			item.json.idnp !== idnpFor(k) || item.json.subject !== subjectFor(k) ? 'fields' : undefined,
	}),
};

/** n8n output items (with pairedItem) → {ids in item order, problems}. */
export function checkOutput(variant, items, count) {
	const problems = [];
	if (items.length !== count) problems.push(`${items.length} output items for ${count}`);
	const read = READ_OUTPUT[variant] ?? READ_OUTPUT.mnotify;
	const ids = items.map((item, k) => {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const { id, wrong } = read(item, k);
		if ((paired?.item ?? 0) !== k || wrong)
			problems.push(`output item ${k} is not input item ${k} (${wrong ?? 'pairedItem'})`);
		return id;
	});
	return { ids, problems: problems.slice(0, 3) };
}

/** Exactly N accepted, and the notification of item k is the request item k should send. */
export function checkStored(sandbox, ids, count) {
	const problems = [];
	const { notificationsAccepted } = sandbox.stats;
	if (notificationsAccepted !== count)
		problems.push(`sandbox accepted ${notificationsAccepted} notifications, not ${count}`);
	const stored = new Map(sandbox.notifications().map((n) => [n.id, n.request]));
	const wrong = ids.findIndex(
		(id, k) =>
			JSON.stringify(canonical(stored.get(id))) !== JSON.stringify(canonical(requestOf(k))),
	);
	if (wrong >= 0)
		problems.push(
			`notification of item ${wrong} is not the expected request: ${JSON.stringify(stored.get(ids[wrong]))}`,
		);
	return problems;
}
