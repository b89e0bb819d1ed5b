use cascade_runtime::{Model, Session};

#[derive(Model)]
pub struct Country {
    #[model(primary_key)]
    pub code: String,
}

#[derive(Model)]
pub struct Link {
    #[model(primary_key)]
    pub a: i64,
    #[model(primary_key)]
    pub b: i64,
}

fn main() -> cascade_runtime::Result<()> {
    let mut session = Session::open_in_memory()?;
    session.get::<Country>(42i64)?;
    session.delete_by_pk::<Country>(42i64)?;
    session.plan_delete::<Country>(42i64)?;
    session.get::<Link>(1)?;
    // These compile: the model's own key type, and &str for a String key.
    session.get::<Country>("fr")?;
    session.get::<Country>(String::from("fr"))?;
    session.get::<Link>((1, 2))?;
    Ok(())
}
