import type { TemplateType } from '../message.js';

export interface TemplateTexts {
  subject: string;
  plaintext: string;
  html: string;
}

/** Paragraphs → a minimal HTML document; the paragraphs are template text, so fields are escaped at render. */
const page = (paragraphs: string[]) =>
  `<!DOCTYPE html>\n<html><body>\n${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}\n</body></html>\n`;

const IGNORE = 'If you did not ask for this, you can safely ignore this message.';

/** Porta's own wording; Kratos's template data model (§7.5), so operators' Kratos overrides fit the same fields. */
export const BUILTIN_TEMPLATES: Record<TemplateType, TemplateTexts> = {
  verification_code_valid: {
    subject: 'Your verification code is {{ .VerificationCode }}',
    plaintext: [
      'Hello,',
      'to confirm that this address belongs to you, enter this code:',
      '{{ .VerificationCode }}',
      '{{ if .VerificationURL }}You can also open this link: {{ .VerificationURL }}\n\n{{ end }}The code is valid for {{ .ExpiresInMinutes }} minutes. ' + IGNORE,
    ].join('\n\n') + '\n',
    html: page([
      'Hello,',
      'to confirm that this address belongs to you, enter this code:',
      '<strong>{{ .VerificationCode }}</strong>',
      '{{ if .VerificationURL }}You can also <a href="{{ .VerificationURL }}">open this link</a>.{{ end }}',
      `The code is valid for {{ .ExpiresInMinutes }} minutes. ${IGNORE}`,
    ]),
  },
  verification_code_invalid: {
    subject: 'A verification was requested for this address',
    plaintext: [
      'Hello,',
      'someone asked to verify this email address, but no account uses it.',
      `If that was you, you may have signed up with another address. ${IGNORE}`,
    ].join('\n\n') + '\n',
    html: page([
      'Hello,',
      'someone asked to verify this email address, but no account uses it.',
      `If that was you, you may have signed up with another address. ${IGNORE}`,
    ]),
  },
  recovery_code_valid: {
    subject: 'Your account recovery code is {{ .RecoveryCode }}',
    plaintext: [
      'Hello,',
      'to get back into your account, enter this code:',
      '{{ .RecoveryCode }}',
      `The code is valid for {{ .ExpiresInMinutes }} minutes. ${IGNORE}`,
    ].join('\n\n') + '\n',
    html: page([
      'Hello,',
      'to get back into your account, enter this code:',
      '<strong>{{ .RecoveryCode }}</strong>',
      `The code is valid for {{ .ExpiresInMinutes }} minutes. ${IGNORE}`,
    ]),
  },
  recovery_code_invalid: {
    subject: 'Someone tried to recover an account with this address',
    plaintext: [
      'Hello,',
      'someone tried to recover an account with this email address, but no account uses it, so nothing happened.',
      `If that was you, you may have signed up with another address. ${IGNORE}`,
    ].join('\n\n') + '\n',
    html: page([
      'Hello,',
      'someone tried to recover an account with this email address, but no account uses it, so nothing happened.',
      `If that was you, you may have signed up with another address. ${IGNORE}`,
    ]),
  },
  login_code_valid: {
    subject: 'Your sign-in code is {{ .LoginCode }}',
    plaintext: ['Hello,', 'to sign in, enter this code:', '{{ .LoginCode }}', `The code is valid for {{ .ExpiresInMinutes }} minutes. ${IGNORE}`].join('\n\n') + '\n',
    html: page(['Hello,', 'to sign in, enter this code:', '<strong>{{ .LoginCode }}</strong>', `The code is valid for {{ .ExpiresInMinutes }} minutes. ${IGNORE}`]),
  },
};
