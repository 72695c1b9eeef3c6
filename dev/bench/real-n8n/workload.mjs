// The work every variant of the real-n8n benchmark does: N notifications, one per input item, to the
// item's IDNP, with the subject "Test <i>" and the same fixed body and short body. The MNotify node,
// the HTTP Request node and raw undici send byte-for-byte equivalent JSON bodies.

export const TEXTS = {
	body: '<p>Aveți o plată scadentă.</p>',
	shortBody: 'Aveți o plată scadentă.',
};

/** A distinct, valid (13-digit) IDNP per item. */
export const idnpFor = (i) => String(2_000_000_000_000 + i);
export const subjectFor = (i) => `Test ${i}`;

/** The input items (what the workflows' Code node makes): the fields the variants map. */
export function inputItem(i) {
	return { i, idnp: idnpFor(i), subject: subjectFor(i), ...TEXTS };
}

/** The same, as the source of the Code node that makes the items in n8n. */
export function makeItemsCode(count) {
	return [
		`const texts = ${JSON.stringify(TEXTS)};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		`	json: { i, idnp: String(2000000000000 + i), subject: 'Test ' + i, ...texts },`,
		`}));`,
	].join('\n');
}

/** The request body for item i, as the MNotify node builds it. */
export function requestBody(i) {
	return {
		recipients: [{ type: 'IDNP', value: idnpFor(i) }],
		priority: 'Low',
		subject: { ro: subjectFor(i) },
		body: { ro: TEXTS.body },
		bodyShort: { ro: TEXTS.shortBody },
	};
}
