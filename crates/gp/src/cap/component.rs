//! CAP file components (Java Card Virtual Machine Specification v3.1 §6.1, Table 6-1).

/// A CAP file component, with its tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Component {
    /// `COMPONENT_Header`, tag 1.
    Header,
    /// `COMPONENT_Directory`, tag 2.
    Directory,
    /// `COMPONENT_Applet`, tag 3 (absent from library packages).
    Applet,
    /// `COMPONENT_Import`, tag 4.
    Import,
    /// `COMPONENT_ConstantPool`, tag 5.
    ConstantPool,
    /// `COMPONENT_Class`, tag 6.
    Class,
    /// `COMPONENT_Method`, tag 7.
    Method,
    /// `COMPONENT_StaticField`, tag 8.
    StaticField,
    /// `COMPONENT_ReferenceLocation`, tag 9 (file `RefLocation.cap`).
    ReferenceLocation,
    /// `COMPONENT_Export`, tag 10 (only packages that export).
    Export,
    /// `COMPONENT_Descriptor`, tag 11.
    Descriptor,
    /// `COMPONENT_Debug`, tag 12.
    Debug,
}

impl Component {
    /// Every component, in tag order.
    pub const ALL: [Self; 12] = [
        Self::Header,
        Self::Directory,
        Self::Applet,
        Self::Import,
        Self::ConstantPool,
        Self::Class,
        Self::Method,
        Self::StaticField,
        Self::ReferenceLocation,
        Self::Export,
        Self::Descriptor,
        Self::Debug,
    ];

    /// The order of the components in the load file (JCVM v3.1 §6.3 "the components … must be
    /// in the following order"; the same list as pySim `CapFile.get_loadfile` and
    /// GlobalPlatformPro / capfile `CAPFile.componentNames`).
    pub const LOAD_ORDER: [Self; 12] = [
        Self::Header,
        Self::Directory,
        Self::Import,
        Self::Applet,
        Self::Class,
        Self::Method,
        Self::StaticField,
        Self::Export,
        Self::ConstantPool,
        Self::ReferenceLocation,
        Self::Descriptor,
        Self::Debug,
    ];

    /// The components every CAP file has (JCVM v3.1 §6.1; Descriptor is required by the
    /// specification but not needed on card, so it is not checked).
    pub const REQUIRED: [Self; 8] = [
        Self::Header,
        Self::Directory,
        Self::Import,
        Self::ConstantPool,
        Self::Class,
        Self::Method,
        Self::StaticField,
        Self::ReferenceLocation,
    ];

    /// The component tag (Table 6-1).
    pub const fn tag(self) -> u8 {
        match self {
            Self::Header => 1,
            Self::Directory => 2,
            Self::Applet => 3,
            Self::Import => 4,
            Self::ConstantPool => 5,
            Self::Class => 6,
            Self::Method => 7,
            Self::StaticField => 8,
            Self::ReferenceLocation => 9,
            Self::Export => 10,
            Self::Descriptor => 11,
            Self::Debug => 12,
        }
    }

    /// The file name inside the `…/javacard/` directory, without `.cap` (JCVM v3.1 §6.2).
    pub const fn file_stem(self) -> &'static str {
        match self {
            Self::Header => "Header",
            Self::Directory => "Directory",
            Self::Applet => "Applet",
            Self::Import => "Import",
            Self::ConstantPool => "ConstantPool",
            Self::Class => "Class",
            Self::Method => "Method",
            Self::StaticField => "StaticField",
            Self::ReferenceLocation => "RefLocation",
            Self::Export => "Export",
            Self::Descriptor => "Descriptor",
            Self::Debug => "Debug",
        }
    }

    /// The component stored in a file of this stem, if any.
    pub fn from_file_stem(stem: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.file_stem() == stem)
    }

    /// Index into per-component tables.
    pub(crate) const fn index(self) -> usize {
        self.tag() as usize - 1
    }
}
