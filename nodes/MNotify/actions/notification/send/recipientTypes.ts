import type { INodeProperties } from 'n8n-workflow';

import { RECIPIENT_TYPES } from '../../../helpers/interfaces';
import { optionsFrom } from '../../common.descriptions';

/** A recipient's type, for every way of giving recipients (listed, or read from item fields). */
export const recipientTypeField: INodeProperties = {
	displayName: 'Type',
	name: 'type',
	type: 'options',
	options: optionsFrom(RECIPIENT_TYPES, {
		Email: { description: 'An e-mail address' },
		IDNO: { description: 'A company, by its 13-digit IDNO' },
		IDNP: { description: 'A person, by their 13-digit IDNP' },
		Telephone: { description: 'A phone number, e.g. +37369123456' },
	}),
	default: 'IDNP',
};
