/**
 * Wire shapes of the MNotify REST API v2 and the one definition of each list the node uses
 * (docs/contract.md §5–§6). Types, panel options and validators are all derived from these.
 */

export const LANGUAGES = ['ro', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Text in Romanian (mandatory) and optionally Russian and English. */
export type ContentLanguage = { ro: string } & Partial<Record<Exclude<Language, 'ro'>, string>>;

/** Recipient types exactly as the official client spells them (docs/contract.md §12). */
export const RECIPIENT_TYPES = ['IDNP', 'IDNO', 'Email', 'Telephone'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** In the official client's order; Low is its default. */
export const PRIORITIES = ['Low', 'Medium', 'High'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * What a resolution policy resolves a recipient identifier to, and whom of it to notify
 * (docs/contract.md §5.3). IDNP first: it is the official example's value and the default.
 */
export const RESOLUTION_TYPES = ['IDNP', 'IDNO', 'IDNV', 'CadastralNumber', 'PlateNumber'] as const;
export const RESOLUTION_DIRECTIONS = ['Owner', 'Administrator', 'Founder'] as const;
export type ResolutionDirection = (typeof RESOLUTION_DIRECTIONS)[number];

/** Placeholders MNotify fills in itself for each recipient (docs/contract.md §5.2). */
export const BUILT_IN_PLACEHOLDERS = [
	'Date',
	'Time',
	'IDNP',
	'IDNO',
	'RecipientFirstName',
	'RecipientLastName',
] as const;

/** Notification and message ids are UUIDs. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the node asks for per page when listing; MNotify sends no total (docs/contract.md §4). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface RecipientIdentifier {
	type: RecipientType;
	value: string;
}

export interface NotificationTemplateReference {
	id: string;
	/** Serialized JSON object: the API wants a string, not a nested object. */
	variables?: string;
}

export interface ResolutionPolicy {
	type: string;
	parameters?: { direction: string };
}

export interface Attachment {
	fileName: string;
	base64: string;
}

export interface NotificationRequest {
	subject?: ContentLanguage;
	body?: ContentLanguage;
	bodyShort?: ContentLanguage;
	priority: Priority;
	recipients: RecipientIdentifier[];
	template?: NotificationTemplateReference;
	resolutionPolicy?: ResolutionPolicy;
	attachments?: Attachment[];
}

/** Create and update send every field (docs/contract.md §5.4, the strictest reading). */
export interface TemplateRequest {
	name: string;
	description: string;
	subject: ContentLanguage;
	body: ContentLanguage;
	bodyShort: ContentLanguage;
}

/** Texts in any languages, as read back from MNotify: nothing is guaranteed. */
export type StoredTexts = Partial<Record<Language, unknown>>;

/** A template as MNotify returns it (T2); every field optional, unknown ones kept. */
export interface StoredTemplate {
	id?: string;
	name?: string;
	description?: string;
	subject?: StoredTexts;
	body?: StoredTexts;
	bodyShort?: StoredTexts;
	[field: string]: unknown;
}

/** Delivery moves forward through these; Failed and Cancelled can end it from any point. */
export const DELIVERY_PROGRESSION = [
	'Pending',
	'Resolving',
	'Sending',
	'Sent',
	'Delivered',
	'Read',
] as const;

/** Every status of a notification or a message. */
export const NOTIFICATION_STATUSES = [
	...DELIVERY_PROGRESSION,
	'Cancelling',
	'Cancelled',
	'Failed',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** No status follows these: waiting for anything else ends here. */
export const END_STATUSES: readonly NotificationStatus[] = ['Read', 'Failed', 'Cancelled'];

/**
 * The statuses where a delivery has come to an outcome, the default to wait for. A Delivered
 * notification can still move on to Read.
 */
export const FINAL_STATUSES: readonly NotificationStatus[] = [
	'Delivered',
	'Read',
	'Failed',
	'Cancelled',
];

/** What Wait for Delivery may wait until: handed on (Sent) or an outcome. */
export const WAIT_UNTIL_STATUSES: readonly NotificationStatus[] = ['Sent', ...FINAL_STATUSES];

/** Response fields are all optional (§12 "tolerant reading"); unknown fields pass through. */
export interface NotificationMessage {
	messageId?: string;
	subject?: string;
	status?: NotificationStatus;
	channel?: string;
	[field: string]: unknown;
}

export interface NotificationRecipient {
	type?: string;
	value?: string;
	messages?: NotificationMessage[];
	[field: string]: unknown;
}

export interface NotificationDetails {
	id?: string;
	status?: NotificationStatus;
	recipients?: NotificationRecipient[];
	[field: string]: unknown;
}

export interface ListQuery {
	Page?: number;
	ItemsPerPage?: number;
	OrderField?: string;
	SearchBy?: string;
}

export const LIMITS = {
	emailSubjectLength: 41,
	smsTextLength: 160,
	templateNameLength: 50,
	attachmentsTotalBytes: 10 * 1024 * 1024,
	/** Far above any real notification; stops runaway expressions before they reach the network. */
	textLength: 1_000_000,
} as const;

/** The attachments' limit in words: "10 MB". */
export const ATTACHMENTS_LIMIT_IN_WORDS = `${LIMITS.attachmentsTotalBytes / (1024 * 1024)} MB`;
