/** `{{Name}}` placeholder substitution, with MNotify's built-in per-recipient variables. */
import type { ContentLanguage, Recipient } from './model';
import { findPerson } from './populationRegister';
import { isPlainObject } from './wire';

export type TemplateVariables = Record<string, unknown>;

export type VariablesParseResult =
	{ ok: true; variables: TemplateVariables } | { ok: false; message: string };

/** `variables` travel as a JSON-encoded string holding an object (§5.2); absent means none. */
export function parseVariables(raw: unknown): VariablesParseResult {
	if (raw === undefined || raw === null || raw === '') return { ok: true, variables: {} };
	if (typeof raw !== 'string') {
		return {
			ok: false,
			message:
				'Variables must be a JSON-encoded string, e.g. "{\\"Name\\":\\"Ion\\"}", not a JSON value.',
		};
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch (error) {
		return { ok: false, message: `Variables is not valid JSON: ${(error as Error).message}` };
	}
	if (!isPlainObject(parsed)) {
		return { ok: false, message: 'Variables must encode a JSON object of name → value pairs.' };
	}
	return { ok: true, variables: parsed };
}

/** Who the text is rendered for: the identifiers the built-ins can draw on. */
export interface RenderTarget {
	idnp?: string;
	idno?: string;
}

export function targetForRecipient(recipient: Recipient): RenderTarget {
	if (recipient.type === 'IDNP') return { idnp: recipient.value };
	if (recipient.type === 'IDNO') return { idno: recipient.value };
	return {};
}

/** Both identifiers have 13 digits; legal entities' IDNOs start with 1, people's IDNPs do not. */
export function targetForUserId(userId: string | undefined): RenderTarget {
	if (userId === undefined) return {};
	return userId.startsWith('1') ? { idno: userId } : { idnp: userId };
}

const moldovaClock = new Intl.DateTimeFormat('en-GB', {
	timeZone: 'Europe/Chisinau',
	day: '2-digit',
	month: '2-digit',
	year: 'numeric',
	hour: '2-digit',
	minute: '2-digit',
	hourCycle: 'h23',
});

function moldovaDateAndTime(epochMs: number): { date: string; time: string } {
	const parts = Object.fromEntries(
		moldovaClock.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]),
	);
	return {
		date: `${parts.day}.${parts.month}.${parts.year}`,
		time: `${parts.hour}:${parts.minute}`,
	};
}

export function builtInVariables(nowMs: number, target: RenderTarget): Record<string, string> {
	const { date, time } = moldovaDateAndTime(nowMs);
	const person = findPerson(target.idnp);
	const values: Record<string, string> = {
		Date: date,
		Time: time,
		RecipientFirstName: person.firstName,
		RecipientLastName: person.lastName,
	};
	if (target.idnp !== undefined) values.IDNP = target.idnp;
	if (target.idno !== undefined) values.IDNO = target.idno;
	return values;
}

function variableText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Caller variables win over built-ins; unknown placeholders stay as they are. */
export function fillPlaceholders(
	text: string,
	builtIns: Record<string, string>,
	variables: TemplateVariables,
): string {
	return text.replace(PLACEHOLDER, (placeholder, name: string) => {
		if (Object.hasOwn(variables, name)) return variableText(variables[name]);
		if (Object.hasOwn(builtIns, name)) return builtIns[name];
		return placeholder;
	});
}

export function fillContent(
	content: ContentLanguage,
	builtIns: Record<string, string>,
	variables: TemplateVariables,
): ContentLanguage {
	const filled: ContentLanguage = { ro: fillPlaceholders(content.ro, builtIns, variables) };
	if (content.ru !== undefined) filled.ru = fillPlaceholders(content.ru, builtIns, variables);
	if (content.en !== undefined) filled.en = fillPlaceholders(content.en, builtIns, variables);
	return filled;
}
