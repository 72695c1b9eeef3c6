/**
 * A tiny, deterministic stand-in for the state population register, so that
 * {{RecipientFirstName}} / {{RecipientLastName}} give predictable names in tests and demos.
 */
export interface Person {
	firstName: string;
	lastName: string;
}

export const DEFAULT_PERSON: Person = { firstName: 'Ion', lastName: 'Popescu' };

const PEOPLE_BY_IDNP: Record<string, Person> = {
	'2000000000000': { firstName: 'Maria', lastName: 'Ceban' },
	'2000000000001': { firstName: 'Andrei', lastName: 'Rusu' },
	'2000000000002': { firstName: 'Elena', lastName: 'Ciobanu' },
};

export function findPerson(idnp: string | undefined): Person {
	return (idnp !== undefined ? PEOPLE_BY_IDNP[idnp] : undefined) ?? DEFAULT_PERSON;
}
