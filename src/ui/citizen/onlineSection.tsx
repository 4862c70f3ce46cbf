/** @jsxImportSource hono/jsx */
/**
 * "Online bezahlen" on the citizen's payment page: the button to the provider's hosted page (card
 * data never touches Stadtkasse), what happened with the last attempt, and the way back to the
 * online service the citizen came from.
 */
import type { OnlineSectionView } from '../../services/online/section.js';
import type { Lang } from '../i18n.js';

export const ONLINE_CSS = `
.online .button{display:inline-block;color:#fff;background:#0b57d0;font:inherit;font-weight:600;border:0;border-radius:.3rem;padding:.5rem 1rem;text-decoration:none;cursor:pointer}
.online .testmode{background:#fff7ed;border:3px dashed #92400e;font-weight:700;padding:.5rem .75rem}
`;

export const ONLINE_MESSAGES = {
  de: {
    heading: 'Online bezahlen',
    explain: (p: string) => `Bezahlen Sie sofort online über ${p}. Sie werden zur Bezahlseite des Zahlungsdienstes weitergeleitet; Ihre Kartendaten gibt es nur dort.`,
    button: 'Online bezahlen',
    testMode: 'TESTMODUS — es wird kein echtes Geld bewegt',
    resume: 'Zur begonnenen Online-Zahlung',
    back: 'Zurück zum Online-Dienst',
    paidOnlineAwaiting: 'online bezahlt – vielen Dank',
    notices: {
      unavailable: 'Der Zahlungsdienst ist gerade nicht erreichbar. Es wurde nichts gebucht. Bitte versuchen Sie es später noch einmal oder überweisen Sie den Betrag.',
      rejected: 'Der Zahlungsdienst hat die Zahlung nicht angenommen. Es wurde nichts gebucht. Bitte überweisen Sie den Betrag oder versuchen Sie es später noch einmal.',
      payed: 'Vielen Dank! Ihre Online-Zahlung ist bestätigt.',
      failed: 'Die Online-Zahlung ist fehlgeschlagen. Es wurde nichts gebucht. Sie können es noch einmal versuchen.',
      canceled: 'Sie haben die Online-Zahlung abgebrochen. Es wurde nichts gebucht.',
      expired: 'Die Online-Zahlung wurde nicht rechtzeitig abgeschlossen. Sie können es noch einmal versuchen.',
      pending: 'Der Zahlungsdienst hat die Zahlung noch nicht bestätigt. Diese Seite zeigt den Stand, sobald er sie bestätigt.',
      unchecked: 'Wir konnten den Stand Ihrer Online-Zahlung gerade nicht beim Zahlungsdienst abfragen. Wir fragen automatisch erneut nach; bitte zahlen Sie nicht ein zweites Mal.',
      done: 'Für diese Zahlungsaufforderung ist nichts mehr offen.',
    } as Record<string, string>,
  },
  en: {
    heading: 'Pay online',
    explain: (p: string) => `Pay right away online through ${p}. You are taken to the payment service's own page; your card details are entered only there.`,
    button: 'Pay online',
    testMode: 'TEST MODE — no real money moves (TESTMODUS — es wird kein echtes Geld bewegt)',
    resume: 'Continue the online payment you started',
    back: 'Back to the online service',
    paidOnlineAwaiting: 'paid online – thank you',
    notices: {
      unavailable: 'The payment service cannot be reached right now. Nothing was booked. Please try again later or pay by bank transfer.',
      rejected: 'The payment service did not accept the payment. Nothing was booked. Please pay by bank transfer or try again later.',
      payed: 'Thank you! Your online payment is confirmed.',
      failed: 'The online payment failed. Nothing was booked. You can try again.',
      canceled: 'You cancelled the online payment. Nothing was booked.',
      expired: 'The online payment was not completed in time. You can try again.',
      pending: 'The payment service has not confirmed the payment yet. This page shows it as soon as it does.',
      unchecked: 'We could not ask the payment service about your online payment just now. We will ask again by ourselves; please do not pay a second time.',
      done: 'Nothing is owed on this payment request any more.',
    } as Record<string, string>,
  },
} as const;

const GOOD = new Set(['payed', 'done']);

export function OnlineNotice(props: { lang: Lang; online: OnlineSectionView }) {
  const t = ONLINE_MESSAGES[props.lang];
  const notice = props.online.notice;
  if (!notice || !t.notices[notice]) return null;
  return (
    <p class={`notice${GOOD.has(notice) ? ' ok' : ' warn'}`} role="status" data-online-notice={notice}>
      {t.notices[notice]}
    </p>
  );
}

/** `note`: what the amount paid online leaves out (items collected by direct debit). */
export function OnlineSection(props: { lang: Lang; online: OnlineSectionView; note?: string }) {
  const t = ONLINE_MESSAGES[props.lang];
  const o = props.online;
  return (
    <>
      {o.offered && (
        <section class="online" aria-labelledby="online-heading">
          <h2 id="online-heading">{t.heading}</h2>
          {o.testMode && (
            <p class="testmode" role="note">
              {t.testMode}
            </p>
          )}
          {props.note && <p data-online-note>{props.note}</p>}
          <p>{t.explain(o.providerName)}</p>
          {/* A form, not a link: only a person's click starts a transaction (prefetchers follow links).
              Always through us: a resumed attempt is re-checked with the provider first. */}
          <form method="post" action={o.startHref}>
            <input type="hidden" name="nonce" value={o.startNonce} />
            <input class="button" type="submit" value={o.pendingRedirectUrl ? t.resume : t.button} />
          </form>
        </section>
      )}
      {o.returnUrl && (
        <p>
          <a href={o.returnUrl} rel="noreferrer">
            {t.back}
          </a>
        </p>
      )}
    </>
  );
}
