/**
 * Which certificate serials MNotify knows. An identity (sender id) is kept per serial even while
 * unregistered, so unregistering and registering again keeps ownership of earlier data.
 */
import { randomUUID } from 'node:crypto';
import type { Sender } from './model';

/** Uppercase hex without separators or leading zeros, however the serial was written. */
export function normalizeSerial(serialNumber: string): string {
	const hex = serialNumber.replace(/[^0-9a-f]/gi, '').toUpperCase();
	return hex.replace(/^0+(?=.)/, '');
}

export class SenderRegistry {
	private readonly identities = new Map<string, Sender>();
	private readonly registered = new Set<string>();

	/** The identity for a serial, created on first use; does not register it. */
	identityFor(serialNumber: string, senderName?: string): Sender {
		const serial = normalizeSerial(serialNumber);
		let sender = this.identities.get(serial);
		if (sender === undefined) {
			sender = {
				id: randomUUID(),
				name: senderName ?? `Sandbox information system ${this.identities.size + 1}`,
				serialNumber: serial,
			};
			this.identities.set(serial, sender);
		} else if (senderName !== undefined) {
			sender.name = senderName;
		}
		return sender;
	}

	register(serialNumber: string, senderName?: string): Sender {
		const sender = this.identityFor(serialNumber, senderName);
		this.registered.add(sender.serialNumber);
		return sender;
	}

	unregister(serialNumber: string): boolean {
		return this.registered.delete(normalizeSerial(serialNumber));
	}

	/** The registered sender behind a certificate serial, if any. */
	authenticate(serialNumber: string): Sender | undefined {
		const serial = normalizeSerial(serialNumber);
		return this.registered.has(serial) ? this.identities.get(serial) : undefined;
	}
}
