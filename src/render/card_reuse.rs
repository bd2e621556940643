//! Whether a card rendered once may be reused on every list page: true when the `card` macro
//! of macros.html, and every macro it hands `root` to, only prints `root` as it is. A card
//! made with a placeholder for `root` and the placeholder then replaced by a page's root is
//! then byte for byte the card that page would render. A macro that tests, compares,
//! filters, measures or stores `root` makes gen render the card on each page instead, so
//! template authors may write what they like and never need to know about the reuse.
//!
//! Reads Tera's template tree (`tera::ast`), which Tera exposes without promising it stable;
//! anything this walk does not know answers "no reuse", which is always correct.

use tera::Tera;
use tera::ast::{Expr, ExprVal, MacroCall, MacroDefinition, Node};

/// How deep macro calls are followed before giving up (and not reusing).
const MAX_DEPTH: usize = 16;

/// True when the `card` macro of `macros.html` only prints `root`.
pub fn card_prints_root_only(tera: &Tera) -> bool {
    let Some(card) = tera
        .get_template("macros.html")
        .ok()
        .and_then(|t| t.macros.get("card"))
    else {
        return false;
    };
    Walk { tera }.macro_ok("macros.html", card, "root", 0)
}

struct Walk<'t> {
    tera: &'t Tera,
}

impl Walk<'_> {
    /// `var`, a parameter of `def` (defined in `file`), is only printed.
    fn macro_ok(&self, file: &str, def: &MacroDefinition, var: &str, depth: usize) -> bool {
        depth < MAX_DEPTH
            && def.args.values().flatten().all(|e| !mentions(e, var))
            && self.nodes_ok(file, &def.body, var, depth)
    }

    fn nodes_ok(&self, file: &str, nodes: &[Node], var: &str, depth: usize) -> bool {
        nodes
            .iter()
            .all(|node| self.node_ok(file, node, var, depth))
    }

    fn node_ok(&self, file: &str, node: &Node, var: &str, depth: usize) -> bool {
        match node {
            Node::Text(_) | Node::Raw(..) | Node::Comment(..) | Node::Break(_) => true,
            Node::Continue(_) | Node::ImportMacro(..) => true,
            Node::VariableBlock(_, expr) => self.printed_ok(file, expr, var, depth),
            Node::If(branches, _) => {
                branches.conditions.iter().all(|(_, condition, body)| {
                    !mentions(condition, var) && self.nodes_ok(file, body, var, depth)
                }) && branches
                    .otherwise
                    .as_ref()
                    .is_none_or(|(_, body)| self.nodes_ok(file, body, var, depth))
            }
            Node::Forloop(_, f, _) => {
                f.key.as_deref() != Some(var)
                    && f.value != var
                    && !mentions(&f.container, var)
                    && self.nodes_ok(file, &f.body, var, depth)
                    && f.empty_body
                        .as_ref()
                        .is_none_or(|body| self.nodes_ok(file, body, var, depth))
            }
            Node::Set(_, set) => set.key != var && !mentions(&set.value, var),
            // A filter section would transform `root` where it is printed; the rest have no
            // place in a macro. Not reused.
            _ => false,
        }
    }

    /// `{{ var }}` as it is, a macro call that hands `var` on as it is to a macro that only
    /// prints it, or an expression that does not use `var` at all.
    fn printed_ok(&self, file: &str, expr: &Expr, var: &str, depth: usize) -> bool {
        if !mentions(expr, var) {
            return true;
        }
        if !expr.filters.is_empty() || expr.negated {
            return false;
        }
        match &expr.val {
            ExprVal::Ident(name) => name == var,
            ExprVal::MacroCall(call) => self.call_ok(file, call, var, depth),
            _ => false,
        }
    }

    fn call_ok(&self, file: &str, call: &MacroCall, var: &str, depth: usize) -> bool {
        let Some((callee_file, callee)) = self.resolve(file, call) else {
            return false;
        };
        call.args.iter().all(|(param, arg)| {
            if !mentions(arg, var) {
                return true;
            }
            let handed_on = arg.filters.is_empty()
                && !arg.negated
                && matches!(&arg.val, ExprVal::Ident(name) if name == var);
            handed_on && self.macro_ok(callee_file, callee, param, depth + 1)
        })
    }

    /// The macro a call names, and the file it is defined in.
    fn resolve<'a>(
        &'a self,
        file: &'a str,
        call: &MacroCall,
    ) -> Option<(&'a str, &'a MacroDefinition)> {
        let template = self.tera.get_template(file).ok()?;
        let target = if call.namespace == "self" {
            file
        } else {
            template
                .imported_macro_files
                .iter()
                .find(|(_, namespace)| *namespace == call.namespace)
                .map(|(name, _)| name.as_str())?
        };
        let def = self
            .tera
            .get_template(target)
            .ok()?
            .macros
            .get(&call.name)?;
        Some((target, def))
    }
}

/// True when `expr` uses `var` anywhere (or the whole context, which holds it).
fn mentions(expr: &Expr, var: &str) -> bool {
    value_mentions(&expr.val, var)
        || expr
            .filters
            .iter()
            .any(|f| f.args.values().any(|a| mentions(a, var)))
}

fn value_mentions(value: &ExprVal, var: &str) -> bool {
    let named = |name: &str| {
        name == "__tera_context"
            || name
                .strip_prefix(var)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    match value {
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => false,
        ExprVal::Ident(name) => named(name),
        ExprVal::Math(m) => mentions(&m.lhs, var) || mentions(&m.rhs, var),
        ExprVal::Logic(l) => mentions(&l.lhs, var) || mentions(&l.rhs, var),
        ExprVal::In(i) => mentions(&i.lhs, var) || mentions(&i.rhs, var),
        ExprVal::Test(t) => named(&t.ident) || t.args.iter().any(|a| mentions(a, var)),
        ExprVal::MacroCall(c) => c.args.values().any(|a| mentions(a, var)),
        ExprVal::FunctionCall(f) => f.args.values().any(|a| mentions(a, var)),
        ExprVal::Array(items) => items.iter().any(|a| mentions(a, var)),
        ExprVal::StringConcat(s) => s.values.iter().any(|v| value_mentions(v, var)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_card(body: &str) -> Tera {
        let mut tera = Tera::default();
        let macros = format!(
            "{{% macro link(to, root) %}}<a href=\"{{{{ root }}}}{{{{ to }}}}\">x</a>{{% endmacro link %}}\
             {{% macro card(event, root, heading, show_day=false) %}}{body}{{% endmacro card %}}"
        );
        tera.add_raw_template("macros.html", &macros)
            .expect("macros parse");
        tera
    }

    #[test]
    fn printing_root_or_handing_it_on_allows_reuse() {
        for body in [
            "<a href=\"{{ root }}{{ event.url }}\">{{ event.title }}</a>",
            "{% if event.x %}{{ root }}{% else %}{{ root }}x{% endif %}",
            "{% for t in event.tags %}{{ root }}{{ t.url }}{% endfor %}",
            "{{ self::link(to=event.url, root=root) }}",
            "no root at all",
        ] {
            assert!(card_prints_root_only(&with_card(body)), "{body}");
        }
    }

    #[test]
    fn testing_measuring_or_filtering_root_renders_each_card() {
        for body in [
            "{% if root == \"../../\" %}deep{% endif %}",
            "{% if root %}x{% endif %}",
            "{{ root | length }}",
            "{{ root | upper }}",
            "{% set r = root %}{{ r }}",
            "{{ root ~ \"x\" }}",
            "{% for c in root %}{{ c }}{% endfor %}",
            "{{ self::link(to=event.url, root=root ~ \"a\") }}",
            "{% filter upper %}{{ root }}{% endfilter %}",
            "{{ __tera_context }}",
            "{{ self::missing(root=root) }}",
        ] {
            assert!(!card_prints_root_only(&with_card(body)), "{body}");
        }
    }

    #[test]
    fn no_card_macro_means_no_reuse() {
        let mut tera = Tera::default();
        tera.add_raw_template("macros.html", "{% macro other() %}{% endmacro other %}")
            .expect("parse");
        assert!(!card_prints_root_only(&tera));
    }
}
