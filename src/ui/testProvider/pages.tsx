/** @jsxImportSource hono/jsx */
/**
 * The test mode provider's hosted payment page. It says on every page, first thing, that it is a
 * test and no money moves; the tester picks what the "bank" answers.
 */
import { formatAmount } from '../i18n.js';
import { Layout } from '../layout.js';

export const TEST_MODE_BANNER = 'TESTMODUS — es wird kein echtes Geld bewegt';

const CSS = `
.testmode{background:#fff7ed;border:3px dashed #92400e;color:#1a1a1a;font-weight:700;padding:.75rem 1rem;margin:0 0 1rem;text-align:center}
.choices{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem 0}
.choices form{margin:0}
button.fail{background:#92400e}
button.cancel{background:#4a4a4a}
dl{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.25rem .75rem}
dt{color:#4a4a4a}dd{margin:0}
`;

export interface TestPayPageProps {
  nonce: string;
  transactionId: string;
  amountMinor: bigint;
  purpose: string;
  description: string;
  status: string;
  action: string;
}

function Frame(props: { nonce: string; title: string; children?: unknown }) {
  return (
    <Layout lang="de" title={`${props.title} (${TEST_MODE_BANNER})`} nonce={props.nonce} siteName="Testmodus-Zahlungsanbieter" skipLabel="Zum Inhalt springen" css={CSS}>
      <p class="testmode" role="note">
        {TEST_MODE_BANNER}
      </p>
      {props.children as never}
    </Layout>
  );
}

export function TestPayPage(p: TestPayPageProps) {
  return (
    <Frame nonce={p.nonce} title="Bezahlen">
      <h1>Bezahlen beim Testmodus-Zahlungsanbieter</h1>
      <dl>
        <dt>Betrag</dt>
        <dd>{formatAmount('de', p.amountMinor, 'EUR')}</dd>
        <dt>Verwendungszweck</dt>
        <dd>{p.purpose}</dd>
        <dt>Beschreibung</dt>
        <dd>{p.description}</dd>
        <dt>Transaktion</dt>
        <dd>{p.transactionId}</dd>
      </dl>
      {p.status === 'INITIAL' ? (
        <>
          <p>Wählen Sie, was der Zahlungsanbieter antworten soll. Hier werden keine Kartendaten abgefragt.</p>
          <div class="choices">
            <form method="post" action={p.action}>
              <input type="hidden" name="choice" value="pay" />
              <button type="submit">Zahlung erfolgreich (PAYED)</button>
            </form>
            <form method="post" action={p.action}>
              <input type="hidden" name="choice" value="fail" />
              <button type="submit" class="fail">Zahlung fehlgeschlagen (FAILED)</button>
            </form>
            <form method="post" action={p.action}>
              <input type="hidden" name="choice" value="cancel" />
              <button type="submit" class="cancel">Abbrechen (CANCELED)</button>
            </form>
          </div>
        </>
      ) : (
        <p class="notice">Diese Transaktion ist abgeschlossen: {p.status}.</p>
      )}
    </Frame>
  );
}

export function TestNotFoundPage(p: { nonce: string }) {
  return (
    <Frame nonce={p.nonce} title="Unbekannte Transaktion">
      <h1>Unbekannte Transaktion</h1>
      <p>Diese Transaktion kennt der Testmodus-Zahlungsanbieter nicht (er vergisst alles beim Neustart).</p>
    </Frame>
  );
}
