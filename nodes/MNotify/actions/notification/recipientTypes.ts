import { RECIPIENT_TYPES } from '../../helpers/interfaces';
import { optionsFrom } from '../common.descriptions';

/** The recipient types as panel options, for every way of giving recipients. */
export const recipientTypeOptions = optionsFrom(RECIPIENT_TYPES, {
	Email: { description: 'An e-mail address' },
	IDNO: { description: 'A company, by its 13-digit IDNO' },
	IDNP: { description: 'A person, by their 13-digit IDNP' },
	Telephone: { description: 'A phone number, e.g. +37369123456' },
});
