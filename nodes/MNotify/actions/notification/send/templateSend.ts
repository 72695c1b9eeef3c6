import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { NotificationRequest } from '../../../helpers/interfaces';
import {
	customPlaceholders,
	describeUnfilled,
	unfilledPlaceholders,
} from '../../../helpers/placeholders';
import { InputError } from '../../../helpers/checks';
import { parseVariablesObject, storedTexts, type ContentInput } from '../../../helpers/content';
import { contentProperties } from '../../common.descriptions';
import { readTextContent, type NodeParameters } from '../../parameters';
import { renderedTexts, variablesOf } from './dryRun';
import { templateName, type TemplateReads } from '../../template/shared';

/**
 * A template send carries texts too (docs/contract.md §12): by default the template's own, or
 * texts the user writes. Shown under Content → Use a Template.
 */
const textsChoice: INodeProperties = {
	displayName: 'Texts',
	name: 'templateTexts',
	type: 'options',
	options: [
		{
			name: "The Template's Own Texts",
			value: 'template',
			description:
				'Send the subject, body and short body stored in the template, in all its languages, for MNotify to fill in',
		},
		{
			name: 'Write My Own Texts',
			value: 'own',
			description:
				"Write the subject, body and short body here; they may use the template's placeholders",
		},
	],
	default: 'template',
	description:
		'MNotify wants a subject, body and short body with every notification, even one sent with a template',
};

export const templateTextsProperties: INodeProperties[] = [
	textsChoice,
	...contentProperties({ shortBody: true }).map((property) => ({
		...property,
		displayOptions: { show: { templateTexts: ['own'] } },
	})),
].map((property) => ({
	...property,
	displayOptions: {
		show: { ...(property.displayOptions?.show ?? {}), contentSource: ['template'] },
	},
}));

/** The texts written for a template send, or undefined for the template's own. */
export function readOwnTemplateTexts(
	parameters: NodeParameters,
	itemIndex: number,
): ContentInput | undefined {
	const texts = parameters.read('templateTexts', itemIndex, 'template');
	return texts === 'own' ? readTextContent(parameters, itemIndex) : undefined;
}

/**
 * The second check of a template send, once every item is valid on its own: reads the template
 * (once per run), and refuses the item if its variables leave a custom placeholder unfilled.
 * Gives the request as it goes out (with the template's texts when the user wrote none) and the
 * template's name.
 */
export async function completeTemplateSend(
	templates: TemplateReads,
	itemIndex: number,
	request: NotificationRequest,
): Promise<{ request: NotificationRequest; name: string }> {
	const reference = request.template!;
	const template = await templates.read(reference.id, itemIndex);
	const name = templateName(template, reference.id);
	const complete =
		request.subject === undefined ? { ...request, ...storedTexts(template, name) } : request;

	// The template's placeholders, and those of texts written for it: whichever MNotify renders.
	const placeholders = [
		...new Set([...customPlaceholders(template), ...customPlaceholders(complete)]),
	];
	const variables = parseVariablesObject(reference.variables ?? '{}', 'Variables');
	const unfilled = unfilledPlaceholders(placeholders, variables);
	if (unfilled.length === 0) return { request: complete, name };
	throw new InputError(
		'Variables',
		`The variables leave ${unfilled.length === 1 ? 'a placeholder' : `${unfilled.length} placeholders`} of template "${name}" unfilled: ${describeUnfilled(unfilled)}`,
		`The citizen would read ${unfilled.length === 1 ? 'it' : 'them'} as written, braces and all. Give each a variable with a value (Variables › Name "${unfilled[0].name}"). Placeholders of this template: ${placeholders.join(', ')}.`,
	);
}

/**
 * A template send's output: the template with its name and variables, and the texts as the
 * recipients read them (placeholders filled, as Dry Run shows them). Version 1 keeps the
 * variables as the JSON text it output before.
 */
export function templateOutput(
	isVersion1: boolean,
	request: NotificationRequest,
	name: string | undefined,
): IDataObject {
	const template = request.template!;
	return {
		template: {
			id: template.id,
			...(name ? { name } : {}),
			variables: isVersion1 ? template.variables : variablesOf(request),
		},
		rendered: renderedTexts(request),
	};
}
