/** Words of the sign-in page. English is typed by the German, so a missing text does not compile. */

export const loginDe = {
  loginTitle: 'Anmelden',
  loginHeading: 'Anmelden bei der Stadtkasse',
  username: 'Benutzername',
  password: 'Passwort',
  loginButton: 'Anmelden',
  loginInvalid: 'Benutzername oder Passwort ist falsch.',
  loginLocked: (until: string) =>
    `Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung für diesen Namen ist bis ${until} Uhr gesperrt. Wenden Sie sich an die Verwaltung, wenn Sie Ihr Passwort vergessen haben.`,
  loginExpired: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
  loggedOut: 'Sie wurden abgemeldet.',
  loginFormExpired: 'Das Anmeldeformular war veraltet. Bitte versuchen Sie es noch einmal.',
};

export type LoginMessages = typeof loginDe;

export const loginEn: LoginMessages = {
  loginTitle: 'Sign in',
  loginHeading: 'Sign in to Stadtkasse',
  username: 'User name',
  password: 'Password',
  loginButton: 'Sign in',
  loginInvalid: 'User name or password is wrong.',
  loginLocked: (until) => `Too many failed sign-ins. Signing in with this name is locked until ${until}. Ask an administrator if you forgot your password.`,
  loginExpired: 'Your session has ended. Please sign in again.',
  loggedOut: 'You have signed out.',
  loginFormExpired: 'The sign-in form was out of date. Please try again.',
};
