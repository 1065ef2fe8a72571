//! HTML building: escaping and the page frame. Everything that came from a request goes
//! through [`esc`].

use std::fmt::Write as _;

use super::i18n::Texts;

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page under construction.
pub(crate) struct Page<'a> {
    pub(crate) t: &'static Texts,
    pub(crate) css: &'a str,
    pub(crate) app: &'a str,
    pub(crate) title: &'a str,
    pub(crate) notice: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) body: String,
}

impl Page<'_> {
    /// The complete document.
    pub(crate) fn render(&self) -> String {
        let mut h = String::with_capacity(2048 + self.body.len());
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n\
             <link rel=\"stylesheet\" href=\"{}\">\n</head>\n<body>\n<main class=\"card\">\n",
            self.t.lang,
            esc(self.title),
            esc(self.css)
        );
        if !self.app.is_empty() {
            let _ = writeln!(h, "<p class=\"app\">{}</p>", esc(self.app));
        }
        let _ = writeln!(h, "<h1>{}</h1>", esc(self.title));
        if let Some(n) = &self.notice {
            let _ = writeln!(h, "<p class=\"notice\" role=\"status\">{}</p>", esc(n));
        }
        if let Some(e) = &self.error {
            let _ = writeln!(h, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
        }
        h.push_str(&self.body);
        h.push_str("\n</main>\n</body>\n</html>\n");
        h
    }
}

/// A form builder: `<form method="post" action=...>` with the CSRF field.
pub(crate) struct Form {
    html: String,
}

impl Form {
    pub(crate) fn new(action: &str, csrf: &str) -> Self {
        let mut html = String::new();
        let _ = write!(
            html,
            "<form method=\"post\" action=\"{}\" novalidate>\n<input type=\"hidden\" name=\"_csrf\" value=\"{}\">\n",
            esc(action),
            esc(csrf)
        );
        Self { html }
    }

    pub(crate) fn hidden(mut self, name: &str, value: &str) -> Self {
        let _ = writeln!(
            self.html,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(name),
            esc(value)
        );
        self
    }

    /// A labelled input. `kind`: text, password, email, tel. `autocomplete`: the token.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn input(
        mut self,
        id: &str,
        name: &str,
        label: &str,
        kind: &str,
        autocomplete: &str,
        value: &str,
        extra: &str,
    ) -> Self {
        let _ = write!(
            self.html,
            "<label for=\"{id}\">{label}</label>\n<input id=\"{id}\" name=\"{name}\" type=\"{kind}\" autocomplete=\"{ac}\" value=\"{value}\"{extra}>\n",
            id = esc(id),
            name = esc(name),
            label = label,
            kind = esc(kind),
            ac = esc(autocomplete),
            value = esc(value),
            extra = extra,
        );
        self
    }

    /// Raw markup (already escaped by the caller).
    pub(crate) fn raw(mut self, html: &str) -> Self {
        self.html.push_str(html);
        self
    }

    /// Ends the form with a secondary (outlined) button.
    pub(crate) fn submit_secondary(mut self, label: &str) -> String {
        let _ = write!(
            self.html,
            "<button type=\"submit\" class=\"secondary\">{}</button>\n</form>\n",
            esc(label)
        );
        self.html
    }

    pub(crate) fn submit(mut self, name: Option<&str>, label: &str) -> String {
        match name {
            Some(n) => {
                let _ = write!(
                    self.html,
                    "<button type=\"submit\" name=\"{}\" value=\"1\">{}</button>\n</form>\n",
                    esc(n),
                    esc(label)
                );
            }
            None => {
                let _ = write!(
                    self.html,
                    "<button type=\"submit\">{}</button>\n</form>\n",
                    esc(label)
                );
            }
        }
        self.html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
