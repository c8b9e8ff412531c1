//! Writes the Rust source of one service module from its resources.

use std::fmt::Write as _;

use crate::docs::{lines, summary};
use crate::model::{Field, Resource, Struct, Ty};

/// The AWS documentation page of a resource type.
pub fn doc_url(type_name: &str) -> String {
    let parts: Vec<&str> = type_name.split("::").collect();
    let slug = parts[1..].join("-").to_ascii_lowercase();
    format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-{slug}.html"
    )
}

/// How a scope names the framework's `Value` type: `Value` after a `use`, or a full path when a
/// property type of the scope is named `Value` too.
struct Scope<'a> {
    value: &'a str,
    def_prefix: String,
}

fn rust_ty(ty: &Ty, scope: &Scope<'_>) -> String {
    let v = scope.value;
    match ty {
        Ty::Str => "String".into(),
        Ty::Int => "i64".into(),
        Ty::Num => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::StrMap => format!("indexmap::IndexMap<String, {v}<String>>"),
        Ty::List(item) => format!("Vec<{v}<{}>>", rust_ty(item, scope)),
        Ty::Def(name) => format!("{}{name}", scope.def_prefix),
    }
}

fn value_ty(ty: &Ty, scope: &Scope<'_>) -> String {
    format!("{}<{}>", scope.value, rust_ty(ty, scope))
}

fn field_docs(f: &Field) -> Vec<String> {
    let text = summary(&f.description);
    let text = if text.is_empty() {
        format!("The `{}` property.", f.wire)
    } else {
        text
    };
    let tail = if f.required {
        format!("CloudFormation property `{}`; required.", f.wire)
    } else {
        format!("CloudFormation property `{}`; absent unless set.", f.wire)
    };
    vec![text, tail]
}

/// Writes a struct, its constructor and setters, and its `Serialize` impl.
fn write_struct(out: &mut String, s: &Struct, indent: &str, docs: &[String], scope: &Scope<'_>) {
    out.push_str(&lines(indent, docs));
    let _ = writeln!(out, "{indent}#[derive(Debug, Clone)]");
    let _ = writeln!(out, "{indent}pub struct {} {{", s.name);
    for f in &s.fields {
        out.push_str(&lines(&format!("{indent}    "), &field_docs(f)));
        let ty = value_ty(&f.ty, scope);
        if f.required {
            let _ = writeln!(out, "{indent}    pub {}: {ty},", f.name);
        } else {
            let _ = writeln!(out, "{indent}    pub {}: Option<{ty}>,", f.name);
        }
    }
    let _ = writeln!(out, "{indent}}}\n");

    let _ = writeln!(out, "{indent}impl {} {{", s.name);
    let what = if s.schema_name.contains("::") {
        format!("An `{}`", s.schema_name)
    } else {
        format!("A `{}`", s.schema_name)
    };
    let ctor_doc = if s.required_order.is_empty() {
        format!("{what} with every property absent.")
    } else {
        format!("{what} with its required properties; the optional ones are absent.")
    };
    out.push_str(&lines(&format!("{indent}    "), &[ctor_doc]));
    let params: Vec<String> = s
        .required_order
        .iter()
        .map(|&i| {
            let f = &s.fields[i];
            format!("{}: impl Into<{}>", f.name, value_ty(&f.ty, scope))
        })
        .collect();
    let _ = writeln!(
        out,
        "{indent}    pub fn new({}) -> Self {{",
        params.join(", ")
    );
    let _ = writeln!(out, "{indent}        {} {{", s.name);
    for f in &s.fields {
        if f.required {
            let _ = writeln!(out, "{indent}            {}: {}.into(),", f.name, f.name);
        } else {
            let _ = writeln!(out, "{indent}            {}: None,", f.name);
        }
    }
    let _ = writeln!(out, "{indent}        }}");
    let _ = writeln!(out, "{indent}    }}");
    for f in s.fields.iter().filter(|f| !f.required) {
        out.push('\n');
        out.push_str(&lines(
            &format!("{indent}    "),
            &[format!("Sets `{}`.", f.wire)],
        ));
        let _ = writeln!(
            out,
            "{indent}    pub fn {}(mut self, value: impl Into<{}>) -> Self {{",
            f.name,
            value_ty(&f.ty, scope)
        );
        let _ = writeln!(out, "{indent}        self.{} = Some(value.into());", f.name);
        let _ = writeln!(out, "{indent}        self");
        let _ = writeln!(out, "{indent}    }}");
    }
    let _ = writeln!(out, "{indent}}}\n");

    let _ = writeln!(out, "{indent}impl serde::Serialize for {} {{", s.name);
    let _ = writeln!(
        out,
        "{indent}    fn serialize<S: serde::Serializer>(&self, serializer: S) \
         -> Result<S::Ok, S::Error> {{"
    );
    if s.fields.is_empty() {
        let _ = writeln!(out, "{indent}        use serde::ser::SerializeMap;");
        let _ = writeln!(
            out,
            "{indent}        serializer.serialize_map(Some(0))?.end()"
        );
    } else {
        let _ = writeln!(out, "{indent}        use serde::ser::SerializeMap;");
        let _ = writeln!(
            out,
            "{indent}        let mut map = serializer.serialize_map(None)?;"
        );
        for f in &s.fields {
            if f.required {
                let _ = writeln!(
                    out,
                    "{indent}        map.serialize_entry({:?}, &self.{})?;",
                    f.wire, f.name
                );
            } else {
                let _ = writeln!(
                    out,
                    "{indent}        if let Some(v) = &self.{} {{ \
                     map.serialize_entry({:?}, v)?; }}",
                    f.name, f.wire
                );
            }
        }
        let _ = writeln!(out, "{indent}        map.end()");
    }
    let _ = writeln!(out, "{indent}    }}");
    let _ = writeln!(out, "{indent}}}\n");
}

/// The source of one resource type: its struct, `CfnResource` impl, attribute accessors and a
/// submodule with its property types.
fn write_resource(out: &mut String, r: &Resource) {
    let service_scope = Scope {
        value: "Value",
        def_prefix: format!("{}::", r.module),
    };
    let text = summary(&r.props.description);
    let text = if text.is_empty() {
        format!("The `{}` resource type.", r.type_name)
    } else {
        text
    };
    let docs = vec![
        text,
        format!(
            "AWS documentation: [`{}`]({}).",
            r.type_name,
            doc_url(&r.type_name)
        ),
    ];
    write_struct(out, &r.props, "", &docs, &service_scope);
    let _ = writeln!(
        out,
        "impl crate::template::CfnResource for {} {{",
        r.props.name
    );
    let _ = writeln!(out, "    fn cfn_type(&self) -> &str {{");
    let _ = writeln!(out, "        {:?}", r.type_name);
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}\n");
    if !r.attributes.is_empty() {
        let _ = writeln!(out, "impl crate::template::Resource<{}> {{", r.props.name);
        for (i, a) in r.attributes.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let text = summary(&a.description);
            let mut doc = format!("`Fn::GetAtt` of the `{}` attribute.", a.name);
            if !text.is_empty() {
                doc.push(' ');
                doc.push_str(&text);
            }
            out.push_str(&lines("    ", &[doc]));
            let _ = writeln!(
                out,
                "    pub fn {}(&self) -> crate::token::Token {{",
                a.method
            );
            let _ = writeln!(out, "        self.get_att({:?})", a.name);
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "}}\n");
    }
    if r.defs.is_empty() {
        return;
    }
    let shadows_value = r.defs.iter().any(|d| d.name == "Value");
    let def_scope = Scope {
        value: if shadows_value {
            "crate::token::Value"
        } else {
            "Value"
        },
        def_prefix: String::new(),
    };
    out.push_str(&lines(
        "",
        &[format!(
            "Property types of [`{}`](crate::resources::{}::{}).",
            r.props.name,
            service_of(&r.type_name),
            r.props.name
        )],
    ));
    let _ = writeln!(out, "pub mod {} {{", r.module);
    if !shadows_value {
        let _ = writeln!(out, "    use crate::token::Value;\n");
    }
    for d in &r.defs {
        let text = summary(&d.description);
        let text = if text.is_empty() {
            format!("The `{}` property type.", d.schema_name)
        } else {
            text
        };
        let docs = vec![
            text,
            format!("Property type `{}` of `{}`.", d.schema_name, r.type_name),
        ];
        write_struct(out, d, "    ", &docs, &def_scope);
        let v = def_scope.value;
        let _ = writeln!(out, "    impl From<{}> for {v}<{}> {{", d.name, d.name);
        let _ = writeln!(out, "        fn from(value: {}) -> Self {{", d.name);
        let _ = writeln!(out, "            {v}::Literal(value)");
        let _ = writeln!(out, "        }}");
        let _ = writeln!(out, "    }}\n");
    }
    let _ = writeln!(out, "}}\n");
}

/// The module name of the service a type belongs to.
pub fn service_of(type_name: &str) -> String {
    let parts: Vec<&str> = type_name.split("::").collect();
    crate::naming::service_module(parts[0], parts[1])
}

/// The whole source of one service module.
pub fn service_file(header: &str, service: &str, resources: &[Resource]) -> String {
    let mut out = String::new();
    out.push_str(header);
    let _ = writeln!(out, "//! Typed L1 resources of the `{service}` service.\n");
    let _ = writeln!(out, "use crate::token::Value;\n");
    for r in resources {
        write_resource(&mut out, r);
    }
    out
}
