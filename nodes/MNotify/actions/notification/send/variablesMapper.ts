import type { INodeProperties, ResourceMapperValue } from 'n8n-workflow';

import { customPlaceholders } from '../../../helpers/placeholders';
import { InputError, validateUuid } from '../../../helpers/checks';
import { inputJson } from '../../inputFields';
import type { NodeParameters } from '../../parameters';
import { readTemplateVariables } from '../../shared';
import type { TemplateReads } from '../../template/shared';
import { onlyVersion1, sinceSafeVersion } from '../../versions';

/** Variables Input → "Map the Template's Placeholders", with n8n's resource mapper. */
export const VARIABLES_FROM_MAPPER = 'mapper';

const mapperOption = {
	name: "Map the Template's Placeholders",
	value: VARIABLES_FROM_MAPPER,
	description:
		'One field per placeholder of the chosen template; "Map Automatically" reads input fields of the same names, without an expression per item',
};

/**
 * n8n's mapper hides its field list in "Map Automatically", so the panel says what that mode
 * reads; the placeholders are also named in the error of an item that leaves one unfilled.
 */
const autoMapNotice: INodeProperties = {
	displayName:
		'Map Automatically fills each placeholder of the template from the input field of the same name, e.g. {{amount}} from the field "amount". n8n lists the placeholders under "Map Each Column Manually": each column is a placeholder.',
	name: 'autoMapNotice',
	type: 'notice',
	default: '',
	// Shown in both mapping modes: n8n 1.x cannot order parameters that depend on a nested value.
	displayOptions: { show: { variablesMode: [VARIABLES_FROM_MAPPER] } },
};

const mapperProperty: INodeProperties = {
	displayName: 'Variables',
	name: 'variablesMapping',
	type: 'resourceMapper',
	noDataExpression: true,
	default: { mappingMode: 'defineBelow', value: null },
	required: true,
	typeOptions: {
		loadOptionsDependsOn: ['templateId.value'],
		resourceMapper: {
			resourceMapperMethod: 'getTemplatePlaceholders',
			mode: 'add',
			valuesLabel: 'Placeholder Values',
			fieldWords: { singular: 'placeholder', plural: 'placeholders' },
			addAllFields: true,
			multiKeyMatch: false,
			supportAutoMap: true,
		},
	},
	displayOptions: { show: { variablesMode: [VARIABLES_FROM_MAPPER] } },
};

/**
 * How variable values go out. MNotify's documentation shows text only (docs/contract.md §5.2);
 * a number mapped from an input field would otherwise travel as a JSON number. Version 1 sent
 * values with their JSON types and keeps doing so unless told otherwise.
 */
const AS_TEXT = 'text';
const AS_GIVEN = 'asGiven';
const variableTypesProperty = (fallback: string, versions: INodeProperties['displayOptions']) =>
	({
		displayName: 'Send Variables As',
		name: 'variableTypes',
		type: 'options',
		options: [
			{
				name: 'Text',
				value: AS_TEXT,
				description: 'Every value as a string, e.g. "100" (what MNotify\'s documentation shows)',
			},
			{
				name: 'Their JSON Types',
				value: AS_GIVEN,
				description: 'Numbers and true/false as they are, e.g. 100',
			},
		],
		default: fallback,
		displayOptions: versions,
	}) satisfies INodeProperties;

/** The variables properties of Send: the shared ones, with the mapper added as a third input. */
export function withVariablesMapper(properties: INodeProperties[]): INodeProperties[] {
	return [
		...properties.map((property) =>
			property.name === 'variablesMode'
				? { ...property, options: [...(property.options ?? []), mapperOption] }
				: property,
		),
		mapperProperty,
		autoMapNotice,
		variableTypesProperty(AS_GIVEN, onlyVersion1),
		variableTypesProperty(AS_TEXT, sinceSafeVersion),
	];
}

/** The variables as they go out: numbers and true/false as text unless typed values were asked for. */
export function variablesAsSent(
	parameters: NodeParameters,
	itemIndex: number,
	variables: string | undefined,
): string | undefined {
	const fallback = parameters.isVersion1 ? AS_GIVEN : AS_TEXT;
	if (variables === undefined) return undefined;
	if (parameters.read('variableTypes', itemIndex, fallback) !== AS_TEXT) return variables;
	const values = JSON.parse(variables) as Record<string, unknown>;
	for (const [name, value] of Object.entries(values)) {
		if (typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
	}
	return JSON.stringify(values);
}

/**
 * The item's template variables, from whichever Variables Input the panel uses, as the JSON
 * string MNotify expects. "Map Automatically" takes the input fields named like the template's
 * placeholders: the template is read once per execution, before any item is sent, so the
 * variables are known when the item is validated (and when its dedupe key is made).
 */
export async function readSendVariables(
	parameters: NodeParameters,
	templates: TemplateReads,
	itemIndex: number,
	templateId: unknown,
): Promise<string | undefined> {
	if (!usesMapper(parameters, itemIndex)) return readTemplateVariables(parameters, itemIndex);
	const mapping = parameters.read<ResourceMapperValue>('variablesMapping', itemIndex, {
		mappingMode: 'defineBelow',
		value: null,
	});
	// Each mapped field holds what the user put there, expressions already resolved by n8n.
	if (mapping.mappingMode !== 'autoMapInputData') return serialized({ ...(mapping.value ?? {}) });
	const template = await templates.read(validateUuid(templateId, 'Template'), itemIndex);
	const json = inputJson(parameters.context, itemIndex);
	return serialized(
		Object.fromEntries(
			customPlaceholders(template)
				.filter((name) => Object.hasOwn(json, name))
				.map((name) => [name, json[name]]),
		),
	);
}

function usesMapper(parameters: NodeParameters, itemIndex: number): boolean {
	return parameters.read('variablesMode', itemIndex, 'keyValue') === VARIABLES_FROM_MAPPER;
}

/** The JSON string MNotify expects, or nothing for no variables; every value checked first. */
function serialized(variables: Record<string, unknown>): string | undefined {
	for (const [name, value] of Object.entries(variables)) checkVariable(name, value);
	return Object.keys(variables).length === 0 ? undefined : JSON.stringify(variables);
}

/** A placeholder is filled with text (or a number, a yes/no): an object would print as JSON. */
function checkVariable(name: string, value: unknown): void {
	if (value === null || typeof value !== 'object') return;
	throw new InputError(
		`Variables › ${name}`,
		`The value for the placeholder {{${name}}} is ${Array.isArray(value) ? 'a list' : 'an object'}, not text`,
		`Map a single value to {{${name}}}, e.g. a field that holds text, or reshape the items first (Edit Fields).`,
	);
}
