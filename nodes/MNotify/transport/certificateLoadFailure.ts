import { codeOf, messageOf } from './networkErrors';
import type { Problem } from './problem';

/** Why a certificate could not be loaded (passphrase, old PFX encryption, a key of another certificate…), and what to do. */
export function explainLoadFailure(
	error: unknown,
	format: 'pfx' | 'pem',
	passphrase: string | undefined,
): Problem {
	const reason = `${messageOf(error)} ${codeOf(error)}`;
	const cannotDecrypt = /mac verify failure|bad decrypt|BAD_DECRYPT|bad password/i.test(reason);
	if (cannotDecrypt && passphrase === undefined) {
		return {
			message: 'The certificate passphrase is missing',
			description:
				format === 'pfx'
					? "The PFX file is protected by a passphrase. Type it in the credential's Passphrase field."
					: "The private key is encrypted. Type its passphrase in the credential's Passphrase field.",
		};
	}
	if (cannotDecrypt) {
		return {
			message: 'The certificate passphrase is wrong',
			description:
				format === 'pfx'
					? 'The PFX file could not be opened with this passphrase. Re-type the passphrase the certificate was issued with.'
					: 'The private key could not be decrypted with this passphrase. Re-type it, or leave it empty if the key is not encrypted.',
		};
	}
	if (/unsupported|legacy|RC2/i.test(reason) && format === 'pfx') {
		return {
			message: 'The PFX file uses old encryption that Node.js no longer opens',
			description:
				'Re-export it with modern encryption: openssl pkcs12 -legacy -in old.pfx -out key-and-cert.pem, then openssl pkcs12 -export -in key-and-cert.pem -out new.pfx. Or use the PEM format.',
		};
	}
	if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(reason)) {
		return {
			message: 'The private key does not belong to the certificate',
			description: 'Paste the private key that was generated together with this certificate.',
		};
	}
	return {
		message:
			format === 'pfx'
				? "The credential's PFX file could not be read"
				: "The credential's certificate or private key could not be read",
		description:
			format === 'pfx'
				? 'Make sure the text is the base64 of a complete .pfx/.p12 file (not a .cer, and not cut off).'
				: 'Make sure both are complete PEM blocks.',
	};
}
