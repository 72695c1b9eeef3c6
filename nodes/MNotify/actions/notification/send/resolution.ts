import type { INodeProperties } from 'n8n-workflow';

import {
	RESOLUTION_DIRECTIONS,
	RESOLUTION_TYPES,
	type ResolutionDirection,
} from '../../../helpers/interfaces';
import { optionsFrom } from '../../common.descriptions';

const SECTION = 'resolutionPolicy';
const VALUES = 'policy';

/** Where the panel holds an item's policy (what to resolve to, whom to notify). */
export const RESOLUTION_POLICY_PATH = `${SECTION}.${VALUES}`;

/** Whom a direction names, in plain words for the panel. */
const PEOPLE: Record<ResolutionDirection, string> = {
	Owner: 'owners',
	Administrator: 'administrators',
	Founder: 'founders',
};

/**
 * The resolution policy as one section (docs/contract.md §5.3): what MNotify resolves each
 * recipient to and whom of them it notifies, both or neither. A notice says in plain words what
 * will happen.
 */
export const resolutionProperties: INodeProperties[] = [
	{
		displayName: 'Resolution Policy',
		name: SECTION,
		type: 'fixedCollection',
		placeholder: 'Add Resolution Policy',
		default: {},
		description:
			'Notify the people behind each recipient instead of the recipient itself, e.g. the administrators of a company given by IDNO',
		options: [
			{
				displayName: 'Resolution Policy',
				name: VALUES,
				values: [
					{
						displayName: 'Resolve To',
						name: 'resolveTo',
						type: 'options',
						options: optionsFrom(RESOLUTION_TYPES, {
							IDNP: { description: 'People, by their IDNP (as in the official example)' },
							CadastralNumber: { name: 'Cadastral Number' },
							PlateNumber: { name: 'Plate Number' },
						}),
						default: 'IDNP',
						description: 'The identifier MNotify resolves each recipient to',
					},
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: optionsFrom(RESOLUTION_DIRECTIONS),
						default: 'Administrator',
						description: 'Whom of the resolved people MNotify notifies',
					},
				],
			},
		],
	},
	...RESOLUTION_DIRECTIONS.map((direction): INodeProperties => ({
		displayName: `With Direction ${direction}, MNotify does not notify the recipients themselves but the ${PEOPLE[direction]} of each one (e.g. of each company given by IDNO), found by the identifier chosen in Resolve To.`,
		name: `resolution${direction}Notice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { [`/${SECTION}.${VALUES}.direction`]: [direction] } },
	})),
];
