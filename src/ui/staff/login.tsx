/** @jsxImportSource hono/jsx */
/** The sign-in page: name, password, and a clear message when refused or locked. */
import { messages, StaffPage, type StaffPageContext } from './frame.js';

export function LoginPage(props: StaffPageContext & { next: string; loginCsrf: string; username?: string; error?: string; info?: string }) {
  const t = messages(props.lang);
  return (
    <StaffPage {...props} title={t.loginTitle} css="main{max-width:30rem}">
      <h1>{t.loginHeading}</h1>
      {props.error && (
        <p class="notice warn" role="alert" id="login-error">
          {props.error}
        </p>
      )}
      {props.info && (
        <p class="notice" role="status">
          {props.info}
        </p>
      )}
      <form method="post" action={`/login?next=${encodeURIComponent(props.next)}`}>
        <input type="hidden" name="_csrf" value={props.loginCsrf} />
        <div class="field">
          <label for="username">{t.username}</label>
          <input
            type="text"
            id="username"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={props.username ?? ''}
            {...(props.error ? { 'aria-describedby': 'login-error' } : {})}
            data-autofocus
          />
        </div>
        <div class="field">
          <label for="password">{t.password}</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required />
        </div>
        <p>
          <button type="submit">{t.loginButton}</button>
        </p>
      </form>
    </StaffPage>
  );
}
