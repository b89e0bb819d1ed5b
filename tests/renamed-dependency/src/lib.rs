//! Models declared through a renamed dependency: `cascade_runtime` is not a name in this crate,
//! so the derive's paths go through `#[model(crate = "::cascade")]`.

use cascade::Model;

/// A parent whose children go with it.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(crate = "::cascade")]
pub struct Folder {
    /// The key.
    #[model(primary_key)]
    pub id: i64,
    /// Files, deleted with the folder.
    #[relationship(cascade = "all, delete")]
    pub files: Vec<File>,
}

/// A child.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(crate = "cascade")]
pub struct File {
    /// The key.
    #[model(primary_key)]
    pub id: i64,
    /// The folder.
    #[model(foreign_key = Folder)]
    pub folder_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_dependency_derives_and_cascades() -> cascade::Result<()> {
        let mut session = cascade::Session::open_in_memory()?;
        session.create_all::<Folder>()?;
        let mut folder = Folder {
            id: 0,
            files: vec![
                File {
                    id: 0,
                    folder_id: None
                };
                2
            ],
        };
        session.insert(&mut folder)?;
        let report = session.repo::<Folder>().delete_by_pk(folder.id)?;
        assert_eq!((report.count("folder"), report.count("file")), (1, 2));
        Ok(())
    }
}
