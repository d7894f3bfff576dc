// The life of a panel form's submission, shared by the "add an activity" form and the
// quick criée: build the spec (a mistake is shown at once, nothing is sent), disable the
// button while the server answers, then say it worked (and clear the form) or say why not.

/**
 * @param {HTMLFormElement} form
 * @param {{build: () => any, send: (spec: any) => Promise<any>, submit: HTMLButtonElement,
 *          message: HTMLElement, success: () => string, reset: () => void}} how
 */
export function handleSubmit(form, how) {
  const show = (text, isError) => {
    how.message.textContent = text;
    how.message.className = isError ? "form-message error-text" : "form-message";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show("", false);
    let spec;
    try {
      spec = how.build();
    } catch (err) {
      show(err.message, true);
      return;
    }
    how.submit.disabled = true;
    how.send(spec).then(() => {
      show(how.success(), false);
      how.reset();
    }, (err) => {
      show(err.message, true);
    }).then(() => {
      how.submit.disabled = false;
    });
  });
}
