/**
 * The resolution policy as one section (Resolve To + Direction, both or neither), sent to the
 * strict sandbox through n8n's engine, and what the panel says about it.
 */
import { NodeHelpers, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { useSandbox } from '../support/sandbox';
import { engine, runNode, runNodeExpectingError, sendParameters } from '../support/workflows';

const fixture = useSandbox();
const company = [{ type: 'IDNO', value: '1010600034203' }];

function lastRequest(id: unknown) {
	return fixture.sandbox.notifications().find((each) => each.id === id)?.request as
		Record<string, unknown> | undefined;
}

describe('Resolution Policy', () => {
	it('sends Resolve To and Direction together, IDNP by default as in the official example', async () => {
		const [sent] = await runNode(
			sendParameters(company, { resolutionPolicy: { policy: { direction: 'Administrator' } } }),
			fixture.credentials,
		);
		const policy = { type: 'IDNP', parameters: { direction: 'Administrator' } };
		expect(lastRequest(sent.json.id)?.resolutionPolicy).toEqual(policy);
		expect(sent.json.resolutionPolicy).toEqual(policy);
	});

	it('sends none when the section is not added: the recipients themselves are notified', async () => {
		const [sent] = await runNode(sendParameters(company), fixture.credentials);
		expect(lastRequest(sent.json.id)).not.toHaveProperty('resolutionPolicy');
	});

	it.each([
		[
			'a Direction without Resolve To',
			{ resolveTo: '={{ "" }}', direction: 'Founder' },
			'Resolution Policy › Resolve To',
			/has the Direction Founder but nothing to resolve to/,
		],
		[
			'Resolve To without a Direction',
			{ resolveTo: 'IDNP', direction: '={{ $json.none }}' },
			'Resolution Policy › Direction',
			/resolves to IDNP but has no Direction/,
		],
	])('refuses %s before sending, naming the field and the item', async (_, policy, field, says) => {
		const before = fixture.sandbox.stats.requests;
		const error = await runNodeExpectingError(
			sendParameters(company, { resolutionPolicy: { policy } }),
			fixture.credentials,
			[{ json: {} }, { json: {} }],
		);
		expect(error.message).toMatch(says);
		expect(error.message).toMatch(/\[item 0\]$/);
		expect(error.description).toContain(`Field: ${field}.`);
		expect(fixture.sandbox.stats.requests).toBe(before);
	});

	it('says in plain words whom MNotify notifies, for the Direction chosen', async () => {
		const description = (await engine().nodeDescription()) as INodeTypeDescription;
		const notices = description.properties.filter(
			(property: INodeProperties) =>
				property.type === 'notice' && property.name.startsWith('resolution'),
		);
		const shown = (direction?: string) => {
			const parameters = {
				resource: 'notification',
				operation: 'send',
				...(direction ? { resolutionPolicy: { policy: { resolveTo: 'IDNP', direction } } } : {}),
			};
			return notices
				.filter((notice) => NodeHelpers.displayParameter(parameters, notice, null, description))
				.map((notice) => notice.displayName);
		};
		expect(shown()).toEqual([]);
		expect(shown('Administrator')).toEqual([
			'With Direction Administrator, MNotify does not notify the recipients themselves but the administrators of each one (e.g. of each company given by IDNO), found by the identifier chosen in Resolve To.',
		]);
		expect(shown('Owner')).toEqual([expect.stringMatching(/but the owners of each one/)]);
		expect(shown('Founder')).toEqual([expect.stringMatching(/but the founders of each one/)]);
	});
});
