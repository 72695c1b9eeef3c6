/**
 * What one item asks Send to do, as the panel holds it: its recipients, its texts and its
 * resolution policy. Read for every item (a parameter with an expression differs by item), then
 * checked together by buildNotificationRequest.
 */
import type { ContentInput } from '../../../helpers/content';
import type { ResolutionPolicy } from '../../../helpers/interfaces';
import { buildResolutionPolicy } from '../../../helpers/recipients';
import type { NodeParameters } from '../../parameters';
import { RECIPIENTS_FROM_FIELDS, recipientsFromFields } from './recipientsFromInput';
import { RESOLUTION_POLICY_PATH } from './resolution';

type RawRecipient = { type?: unknown; value?: unknown };

/** The item's recipients, from the panel or from its fields, for buildNotificationRequest. */
export function readRecipients(parameters: NodeParameters, itemIndex: number): RawRecipient[] {
	return parameters.read('recipientsMode', itemIndex, 'manual') === RECIPIENTS_FROM_FIELDS
		? recipientsFromFields(parameters, itemIndex)
		: parameters.read('recipients.recipient', itemIndex, []);
}

/** The texts as the panel holds them (Romanian fields plus translations); template create too. */
export function readTextContent(parameters: NodeParameters, itemIndex: number): ContentInput {
	return {
		subject: parameters.read('subject', itemIndex, ''),
		body: parameters.read('body', itemIndex, ''),
		shortBody: parameters.read('shortBody', itemIndex, ''),
		translations: parameters.read(
			'translations.translation',
			itemIndex,
			[],
		) as ContentInput['translations'],
	};
}

/** The item's resolution policy, or undefined to notify the recipients themselves. */
export function readResolutionPolicy(
	parameters: NodeParameters,
	itemIndex: number,
): ResolutionPolicy | undefined {
	const policy = parameters.read(RESOLUTION_POLICY_PATH, itemIndex, {}) as {
		resolveTo?: unknown;
		direction?: unknown;
	};
	return buildResolutionPolicy(policy.resolveTo, policy.direction);
}
