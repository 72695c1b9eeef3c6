/**
 * T6: preview a template with variables filled in. Answers both the examples' POST with a JSON
 * body and the reference's GET with query parameters (§12).
 */
import { queryParameter } from '../listing';
import { parseJsonBody } from '../requestBody';
import { jsonResponse, type SandboxResponse } from '../responses';
import type { RequestContext } from '../router';
import { builtInVariables, fillContent, parseVariables, targetForUserId } from '../templating';
import { FieldErrorCollector } from '../validation/fieldErrors';
import { toTemplate } from '../views';
import { isPlainObject } from '../wire';

interface CheckInput {
	variables: unknown;
	userId: unknown;
}

function readCheckInput(context: RequestContext, errors: FieldErrorCollector): CheckInput {
	if (context.body.length === 0) {
		return {
			variables: queryParameter(context.query, 'variables'),
			userId: queryParameter(context.query, 'userId'),
		};
	}
	const body = parseJsonBody(context.body, context.contentType, { required: false });
	if (!isPlainObject(body)) {
		errors.add('$', 'The request body must be a JSON object { "variables", "userId" }.');
		return { variables: undefined, userId: undefined };
	}
	return { variables: body.variables, userId: body.userId };
}

function readUserId(value: unknown, errors: FieldErrorCollector): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string' || !/^\d{13}$/.test(value)) {
		errors.add('UserId', 'UserId must be an IDNP or IDNO of exactly 13 digits.');
		return undefined;
	}
	return value;
}

export function checkTemplate(context: RequestContext): SandboxResponse {
	const { state, sender, id } = context;
	const errors = new FieldErrorCollector();
	const input = readCheckInput(context, errors);
	const variables = parseVariables(input.variables);
	if (!variables.ok) errors.add('Variables', variables.message);
	const userId = readUserId(input.userId, errors);
	errors.throwIfAny();

	const template = toTemplate(state.store.ownedTemplate(id, sender));
	const builtIns = builtInVariables(state.clock.now(), targetForUserId(userId));
	const values = variables.ok ? variables.variables : {};
	return jsonResponse(200, {
		...template,
		subject: fillContent(template.subject, builtIns, values),
		body: fillContent(template.body, builtIns, values),
		bodyShort: fillContent(template.bodyShort, builtIns, values),
	});
}
